import { Either } from "effect"
import { describe, expect, it } from "vitest"
import type { MemberHealth, ZoneEvent, ZoneSnapshot } from "../../actors/zone/zone.machine.ts"
import { initialZone, restoreZone, transitionZone, zoneObservedState } from "../../actors/zone/zone.machine.ts"
import { NodeId } from "../../storage/record.ts"

const step = (snapshot: ZoneSnapshot, event: ZoneEvent): ZoneSnapshot =>
  Either.getOrThrowWith(transitionZone(snapshot, event), (refusal) => refusal)

const run = (snapshot: ZoneSnapshot, ...events: ReadonlyArray<ZoneEvent>): ZoneSnapshot => events.reduce(step, snapshot)

const a = NodeId.make("node-a")
const b = NodeId.make("node-b")
const update = (node: NodeId, health: MemberHealth): ZoneEvent => ({ type: "MembersChanged", updated: { [node]: health }, removed: [] })
const remove = (node: NodeId): ZoneEvent => ({ type: "MembersChanged", updated: {}, removed: [node] })

/** us-east with two alive members. */
const twoAlive = () => run(initialZone({ name: "us-east" }), update(a, "alive"), update(b, "alive"))

describe("zone lifecycle", () => {
  it("starts degraded, with no members", () => {
    const zone = initialZone({ name: "us-east" })
    expect({ state: zoneObservedState(zone), members: zone.context.members }).toEqual({ state: "degraded", members: {} })
  })

  it("serves once a member is alive", () => {
    expect(step(initialZone({ name: "us-east" }), update(a, "alive")).value).toBe("serving")
  })

  it("keeps serving while one member of several is still alive", () => {
    expect(step(twoAlive(), update(a, "dead")).value).toBe("serving")
  })

  it("degrades when its last alive member dies", () => {
    expect(run(twoAlive(), update(a, "suspect"), update(b, "dead")).value).toBe("degraded")
  })

  it("serves again when a member comes back alive", () => {
    expect(run(twoAlive(), update(a, "dead"), update(b, "dead"), update(b, "alive")).value).toBe("serving")
  })

  it("does not count members that left", () => {
    expect(run(twoAlive(), update(a, "left"), update(b, "left")).value).toBe("degraded")
  })

  it("degrades when its last alive member is removed", () => {
    const removed = run(twoAlive(), update(a, "dead"), remove(b))
    expect({ state: removed.value, members: removed.context.members }).toEqual({
      state: "degraded",
      members: { [a]: "dead" }
    })
  })

  it("refuses to remove a node that is not a member", () => {
    const refused = Either.flip(transitionZone(twoAlive(), remove(NodeId.make("node-z"))))
    expect(Either.map(refused, (error) => error.message)).toEqual(
      Either.right("cannot apply MembersChanged to a zone that is serving (node node-z is not a member of zone us-east)")
    )
  })

  it("applies many changes as one event: updates and removals together", () => {
    const c = NodeId.make("node-c")
    const changed = step(twoAlive(), { type: "MembersChanged", updated: { [a]: "dead", [c]: "suspect" }, removed: [b] })
    expect({ state: changed.value, members: changed.context.members }).toEqual({
      state: "degraded",
      members: { [a]: "dead", [c]: "suspect" }
    })
  })

  it("refuses the whole event when one node it removes is not a member", () => {
    const refused = transitionZone(twoAlive(), { type: "MembersChanged", updated: { [a]: "dead" }, removed: [b, NodeId.make("node-z")] })
    expect(Either.isLeft(refused)).toBe(true)
  })

  it("derives the state of a restored zone from its members", () => {
    const restored = restoreZone({ name: "eu", members: { [a]: "suspect", [b]: "alive" } })
    expect([restored.value, step(restored, update(b, "dead")).value]).toEqual(["serving", "degraded"])
  })
})
