import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { IllegalTransition } from "../../actors/lifecycle/lifecycle.errors.ts"
import type { NodeEvent, NodeSnapshot } from "../../actors/node/node.machine.ts"
import {
  PersistedNodeLifecycle,
  initialNode,
  nodeObservedState,
  persistNode,
  restoreNode,
  transitionNode
} from "../../actors/node/node.machine.ts"

const step = (snapshot: NodeSnapshot, event: NodeEvent): NodeSnapshot =>
  Either.getOrThrowWith(transitionNode(snapshot, event), (refusal) => refusal)

const run = (snapshot: NodeSnapshot, ...events: ReadonlyArray<NodeEvent>): NodeSnapshot => events.reduce(step, snapshot)

const refusal = (snapshot: NodeSnapshot, event: NodeEvent): IllegalTransition =>
  Either.getOrThrowWith(Either.flip(transitionNode(snapshot, event)), () => new Error(`${event.type} was accepted`))

const Joined = { type: "Joined" } as const
const ConfirmDead = { type: "ConfirmDead" } as const
const Leave = { type: "Leave" } as const
const Left = { type: "Left" } as const
const suspect = (incarnation: number) => ({ type: "Suspect", incarnation }) as const
const refute = (incarnation: number) => ({ type: "Refute", incarnation }) as const
const rejoin = (incarnation: number) => ({ type: "Rejoin", incarnation }) as const

/** A member suspected at incarnation 3. */
const suspected = () => run(initialNode(), Joined, suspect(3))

describe("node lifecycle", () => {
  it("walks from joining through suspicion, death and rejoining to left", () => {
    const events: ReadonlyArray<NodeEvent> = [Joined, suspect(0), ConfirmDead, rejoin(1), Leave, Left]
    const seen = [initialNode()]
    for (const event of events) seen.push(step(seen[seen.length - 1] ?? initialNode(), event))
    expect(seen.map(nodeObservedState)).toEqual(["joining", "alive", "suspect", "dead", "alive", "leaving", "left"])
  })

  it("records the incarnation a member is suspected at", () => {
    expect(suspected().context.incarnation).toBe(3)
  })

  it("returns a suspect to alive when it refutes with a higher incarnation", () => {
    const refuted = step(suspected(), refute(4))
    expect({ state: refuted.value, incarnation: refuted.context.incarnation }).toEqual({ state: "alive", incarnation: 4 })
  })

  it("refuses a refutation that repeats the suspected incarnation", () => {
    expect(refusal(suspected(), refute(3)).message).toBe(
      "cannot apply Refute to a node that is suspect (incarnation 3 is not above the known 3)"
    )
  })

  it("refuses a refutation with an older incarnation", () => {
    expect(refusal(suspected(), refute(1)).state).toBe("suspect")
  })

  it("refuses a stale suspicion of an alive member", () => {
    const alive = run(suspected(), refute(5))
    expect(refusal(alive, suspect(4)).message).toBe(
      "cannot apply Suspect to a node that is alive (incarnation 4 is older than the known 5)"
    )
  })

  it("raises the incarnation of a suspect suspected again at a newer one", () => {
    expect(step(suspected(), suspect(6)).context.incarnation).toBe(6)
  })

  it("keeps an alive member alive when it announces a higher incarnation", () => {
    const bumped = step(run(initialNode(), Joined), refute(2))
    expect({ state: bumped.value, incarnation: bumped.context.incarnation }).toEqual({ state: "alive", incarnation: 2 })
  })

  it("lets a dead member back only by rejoining with a higher incarnation", () => {
    const dead = step(suspected(), ConfirmDead)
    expect([refusal(dead, rejoin(3)).event, step(dead, rejoin(4)).value]).toEqual(["Rejoin", "alive"])
  })

  it("refuses a refutation from a dead member, which must rejoin instead", () => {
    expect(refusal(step(suspected(), ConfirmDead), refute(9)).message).toBe("cannot apply Refute to a node that is dead")
  })

  it("lets a suspect member leave", () => {
    expect(step(suspected(), Leave).value).toBe("leaving")
  })

  it("refuses every event once a member has left", () => {
    const left = run(initialNode(), Joined, Leave, Left)
    const events: ReadonlyArray<NodeEvent> = [Joined, suspect(9), refute(9), ConfirmDead, rejoin(9), Leave, Left]
    expect(events.map((event) => Either.isLeft(transitionNode(left, event)))).toEqual(events.map(() => true))
  })

  it("refuses a suspicion of a member that has not joined yet", () => {
    expect(refusal(initialNode(), suspect(0)).message).toBe("cannot apply Suspect to a node that is joining")
  })

  it("resumes a persisted suspect and accepts its refutation", () => {
    const codec = Schema.parseJson(PersistedNodeLifecycle)
    const restored = restoreNode(Schema.decodeUnknownSync(codec)(Schema.encodeSync(codec)(persistNode(suspected()))))
    expect(persistNode(step(restored, refute(4)))).toEqual({ state: "alive", context: { incarnation: 4 } })
  })
})
