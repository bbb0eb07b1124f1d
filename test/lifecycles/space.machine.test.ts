import { Either, Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { transition } from "xstate"
import type { IllegalTransition } from "../../actors/lifecycle/lifecycle.errors.ts"
import type { SpaceEvent, SpaceLifecycleContext, SpaceSnapshot, SpaceState } from "../../actors/space/space.machine.ts"
import {
  PersistedSpaceLifecycle,
  initialSpace,
  persistSpace,
  restoreSpace,
  spaceEffectFor,
  spaceMachine,
  spaceObservedState,
  transitionSpace
} from "../../actors/space/space.machine.ts"

const step = (snapshot: SpaceSnapshot, event: SpaceEvent): SpaceSnapshot =>
  Either.getOrThrowWith(transitionSpace(snapshot, event), (refusal) => refusal)

const run = (snapshot: SpaceSnapshot, ...events: ReadonlyArray<SpaceEvent>): SpaceSnapshot => events.reduce(step, snapshot)

const refusal = (snapshot: SpaceSnapshot, event: SpaceEvent): IllegalTransition =>
  Either.getOrThrowWith(Either.flip(transitionSpace(snapshot, event)), () => new Error(`${event.type} was accepted`))

const Start = { type: "Start" } as const
const Stop = { type: "Stop" } as const
const Delete = { type: "Delete" } as const
const Created = { type: "Created", containerId: "c1" } as const
const Started = { type: "Started" } as const
const Stopped = { type: "Stopped" } as const
const Deleted = { type: "Deleted" } as const
const Failed = { type: "Failed", reason: "image knot/dev not found" } as const
const ContainerExited = { type: "ContainerExited", exitCode: 137 } as const
const ContainerGone = { type: "ContainerGone" } as const
const Retry = { type: "Retry" } as const

/** A context each state is normally in, to put a snapshot into any state directly. */
const typicalContext: Record<SpaceState, SpaceLifecycleContext> = {
  pending: { desired: "stopped", generation: 0, containerId: null, reason: null, attempts: 0 },
  creating: { desired: "running", generation: 1, containerId: null, reason: null, attempts: 0 },
  starting: { desired: "running", generation: 1, containerId: "c1", reason: null, attempts: 0 },
  running: { desired: "running", generation: 1, containerId: "c1", reason: null, attempts: 0 },
  stopping: { desired: "stopped", generation: 1, containerId: "c1", reason: null, attempts: 0 },
  stopped: { desired: "stopped", generation: 1, containerId: "c1", reason: null, attempts: 0 },
  deleting: { desired: "deleted", generation: 1, containerId: "c1", reason: null, attempts: 0 },
  deleted: { desired: "deleted", generation: 1, containerId: "c1", reason: null, attempts: 0 },
  failed: { desired: "running", generation: 1, containerId: "c1", reason: "boom", attempts: 1 }
}

const inState = (state: SpaceState): SpaceSnapshot => restoreSpace({ state, context: typicalContext[state] })

const allStates = PersistedSpaceLifecycle.fields.state.literals

/** Every snapshot a new space passes through on these events, the initial one included. */
const trail = (events: ReadonlyArray<SpaceEvent>): Array<SpaceSnapshot> => {
  const seen = [initialSpace()]
  for (const event of events) seen.push(step(seen[seen.length - 1] ?? initialSpace(), event))
  return seen
}

const fullLife = [Start, Created, Started, Stop, Stopped, Delete, Deleted]

describe("space lifecycle", () => {
  it("walks from pending through running and stopped to deleted", () => {
    expect(trail(fullLife).map(spaceObservedState)).toEqual([
      "pending",
      "creating",
      "starting",
      "running",
      "stopping",
      "stopped",
      "deleting",
      "deleted"
    ])
  })

  it("asks the effect side for one container operation per busy state", () => {
    expect(trail(fullLife).map(spaceEffectFor)).toEqual([
      "none",
      "create-container",
      "start-container",
      "none",
      "stop-container",
      "none",
      "remove-container",
      "none"
    ])
  })

  it("names an effect in the meta of every state", () => {
    for (const state of allStates) {
      expect(spaceMachine.states[state]?.meta, state).toHaveProperty("effect")
    }
  })

  it("records the container that Created reports", () => {
    expect(run(initialSpace(), Start, { type: "Created", containerId: "abc123" }).context.containerId).toBe("abc123")
  })

  it("bumps the generation on the first create attempt", () => {
    expect(run(initialSpace(), Start).context.generation).toBe(1)
  })

  describe("desired-state events in every state", () => {
    const expected: Record<SpaceState, Record<"Start" | "Stop" | "Delete", SpaceState | "refused">> = {
      pending: { Start: "creating", Stop: "pending", Delete: "deleting" },
      creating: { Start: "creating", Stop: "creating", Delete: "creating" },
      starting: { Start: "starting", Stop: "starting", Delete: "starting" },
      running: { Start: "running", Stop: "stopping", Delete: "deleting" },
      stopping: { Start: "stopping", Stop: "stopping", Delete: "stopping" },
      stopped: { Start: "starting", Stop: "stopped", Delete: "deleting" },
      deleting: { Start: "refused", Stop: "refused", Delete: "deleting" },
      deleted: { Start: "refused", Stop: "refused", Delete: "refused" },
      failed: { Start: "creating", Stop: "failed", Delete: "deleting" }
    }
    const desiredBy = { Start: "running", Stop: "stopped", Delete: "deleted" } as const
    const rows = allStates.flatMap((state) =>
      ([Start, Stop, Delete] as const).map((event) => ({ state, event, outcome: expected[state][event.type] }))
    )

    for (const { state, event, outcome } of rows)
      it(`${event.type} on a ${state} space: ${outcome}`, () => {
        const result = transitionSpace(inState(state), event)
        if (outcome === "refused") {
          expect(Either.isLeft(result) && result.left._tag).toBe("IllegalTransition")
        } else {
          const next = Either.getOrThrow(result)
          expect({ state: next.value, desired: next.context.desired }).toEqual({
            state: outcome,
            desired: desiredBy[event.type]
          })
        }
      })
  })

  describe("observations in every state", () => {
    const observations = [
      Created,
      Started,
      Stopped,
      Deleted,
      Failed,
      ContainerExited,
      ContainerGone,
      Retry
    ] as const
    type Observation = (typeof observations)[number]["type"]
    const R = "refused" as const
    // Contexts are the typical ones above: a stopping space wants to be stopped, a failed one running.
    const expected: Record<SpaceState, Partial<Record<Observation, SpaceState>>> = {
      pending: {},
      creating: { Created: "starting", Failed: "failed" },
      starting: { Started: "running", Failed: "failed", ContainerExited: "failed", ContainerGone: "failed" },
      running: { ContainerExited: "failed", ContainerGone: "failed" },
      stopping: { Stopped: "stopped", Failed: "failed", ContainerExited: "stopped", ContainerGone: "failed" },
      stopped: { ContainerGone: "failed" },
      deleting: { Deleted: "deleted", Failed: "failed", ContainerGone: "deleted" },
      deleted: {},
      failed: { Retry: "creating" }
    }
    const rows = allStates.flatMap((state) =>
      observations.map((event) => ({ state, event, outcome: expected[state][event.type] ?? R }))
    )

    for (const { state, event, outcome } of rows)
      it(`${event.type} on a ${state} space: ${outcome}`, () => {
        const result = transitionSpace(inState(state), event)
        expect(Either.match(result, { onLeft: () => R, onRight: (next) => next.value })).toBe(outcome)
      })
  })

  describe("wishes that arrive while a step is in flight", () => {
    it("ends a space stopped during creating in stopped once Created arrives", () => {
      expect(run(initialSpace(), Start, Stop, Created).value).toBe("stopped")
    })

    it("ends a space stopped during starting in stopped once Started and Stopped arrive", () => {
      const afterStarted = run(initialSpace(), Start, Created, Stop, Started)
      expect([afterStarted.value, step(afterStarted, Stopped).value]).toEqual(["stopping", "stopped"])
    })

    it("removes a space deleted during creating once Created arrives", () => {
      const deleting = run(initialSpace(), Start, Delete, Created)
      expect({ state: deleting.value, containerId: deleting.context.containerId }).toEqual({
        state: "deleting",
        containerId: "c1"
      })
    })

    it("restarts a space started during stopping once Stopped arrives", () => {
      expect(run(inState("running"), Stop, Start, Stopped).value).toBe("starting")
    })

    it("goes on to remove a space whose creation failed after its deletion was requested", () => {
      expect(run(initialSpace(), Start, Delete, Failed).value).toBe("deleting")
    })

    it("refuses Start once a deletion was requested, saying so", () => {
      expect(refusal(run(initialSpace(), Start, Delete), Start).message).toBe(
        "cannot apply Start to a space that is creating (its deletion was requested)"
      )
    })
  })

  describe("failure and retry", () => {
    it("records why and how often a space failed", () => {
      const failed = run(initialSpace(), Start, Failed)
      expect({ state: failed.value, reason: failed.context.reason, attempts: failed.context.attempts }).toEqual({
        state: "failed",
        reason: "image knot/dev not found",
        attempts: 1
      })
    })

    it("says which exit code ended a running container", () => {
      expect(run(inState("running"), ContainerExited).context.reason).toBe("container exited with code 137")
    })

    it("rebuilds a failed space as a new generation on Retry", () => {
      const retried = run(initialSpace(), Start, Created, Failed, Retry)
      expect({
        state: retried.value,
        generation: retried.context.generation,
        containerId: retried.context.containerId,
        reason: retried.context.reason
      }).toEqual({ state: "creating", generation: 2, containerId: null, reason: null })
    })

    it("counts failures across retries until the space reaches what it wants", () => {
      const twice = run(initialSpace(), Start, Failed, Retry, Failed)
      const recovered = run(twice, Retry, Created, Started)
      expect([twice.context.attempts, recovered.context.attempts]).toEqual([2, 0])
    })

    it("retries a failed deletion by removing again", () => {
      expect(run(inState("deleting"), Failed, Retry).value).toBe("deleting")
    })

    it("treats Start on a failed space as an immediate retry", () => {
      expect(run(inState("failed"), Start).context.generation).toBe(2)
    })
  })

  describe("refusals", () => {
    it("refuses Start on a deleted space with a message a user can read", () => {
      const refused = refusal(inState("deleted"), Start)
      expect({ tag: refused._tag, message: refused.message }).toEqual({
        tag: "IllegalTransition",
        message: "cannot apply Start to a space that is deleted"
      })
    })

    it("names the machine, state and event in a refusal", () => {
      const refused = refusal(initialSpace(), Started)
      expect({ machine: refused.machine, state: refused.state, event: refused.event }).toEqual({
        machine: "space",
        state: "pending",
        event: "Started"
      })
    })

    it("refuses only events that xstate alone would have ignored", () => {
      const event = fc.constantFrom<SpaceEvent>(
        Start,
        Stop,
        Delete,
        Created,
        Started,
        Stopped,
        Deleted,
        Failed,
        ContainerExited,
        ContainerGone,
        Retry
      )
      fc.assert(
        fc.property(fc.constantFrom(...allStates), event, (state, e) => {
          const before = inState(state)
          const refused = Either.isLeft(transitionSpace(before, e))
          const [after] = transition(spaceMachine, before, e)
          return !refused || (after.value === before.value && after.context === before.context)
        })
      )
    })
  })

  describe("invariants over any sequence of events", () => {
    const anyEvent = fc.oneof(
      fc.constantFrom<SpaceEvent>(Start, Stop, Delete, Started, Stopped, Deleted, ContainerGone, Retry),
      fc.string({ minLength: 1, maxLength: 4 }).map((containerId): SpaceEvent => ({ type: "Created", containerId })),
      fc.string({ maxLength: 8 }).map((reason): SpaceEvent => ({ type: "Failed", reason })),
      fc.integer({ min: 0, max: 255 }).map((exitCode): SpaceEvent => ({ type: "ContainerExited", exitCode }))
    )

    it("keeps a container id in every state that has a container, and never undoes a deletion", () => {
      fc.assert(
        fc.property(fc.array(anyEvent, { maxLength: 40 }), (events) => {
          let snapshot = initialSpace()
          for (const event of events) {
            const next = Either.getOrElse(transitionSpace(snapshot, event), () => snapshot)
            const hasContainer = ["starting", "running", "stopping", "stopped"].includes(next.value)
            if (hasContainer && next.context.containerId === null) return false
            if (next.context.generation < snapshot.context.generation) return false
            if (snapshot.context.desired === "deleted" && next.context.desired !== "deleted") return false
            if (snapshot.value === "deleted" && next !== snapshot) return false
            snapshot = next
          }
          return true
        })
      )
    })
  })

  describe("rehydration", () => {
    const encode = Schema.encodeSync(Schema.parseJson(PersistedSpaceLifecycle))
    const decode = Schema.decodeUnknownSync(Schema.parseJson(PersistedSpaceLifecycle))

    it("resumes a space persisted mid-start exactly where it was", () => {
      const original = run(initialSpace(), Start, Created)
      const restored = restoreSpace(decode(encode(persistSpace(original))))
      expect(persistSpace(step(restored, Started))).toEqual(persistSpace(step(original, Started)))
    })

    it("asks a restored space for the effect its state names", () => {
      const restored = restoreSpace(decode(encode(persistSpace(run(initialSpace(), Start, Created, Started, Stop)))))
      expect(spaceEffectFor(restored)).toBe("stop-container")
    })

    it("keeps the persisted context as it was, without re-running entry actions", () => {
      const restored = restoreSpace({ state: "creating", context: { ...typicalContext.creating, generation: 7 } })
      expect(restored.context.generation).toBe(7)
    })

    it("restores a deleted space as finished, refusing every event", () => {
      const restored = restoreSpace({ state: "deleted", context: typicalContext.deleted })
      expect({ status: restored.status, delete: refusal(restored, Delete).state }).toEqual({
        status: "done",
        delete: "deleted"
      })
    })

    it("rejects a persisted state that is not a space state", () => {
      expect(() => decode(JSON.stringify({ state: "exploded", context: typicalContext.running }))).toThrow()
    })
  })
})
