import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, SubscriptionRef, TestClock } from "effect"
import { MemoryStore } from "../../storage/memoryStore.ts"
import type { NodeId } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import { makeMembershipView, type MemberView, type MembershipView } from "../../transport/gossip/membershipView.ts"
import { keepViewLinked, wantedLinks } from "../../transport/gossip/viewLinks.ts"

const members = new Map<string, MemberView>(
  ["n2", "n3", "n4", "n5", "n6", "n7"].map((node) => [node, { node, zone: "z", state: "alive", incarnation: 0, changedAt: 0 }])
)

interface HandOver {
  readonly at: number
  readonly links: string
  /** The keys handed over, as `member=key` in id order. */
  readonly keys: string
}

const keyOf = (digit: string) => digit.repeat(64)

const nodeRecord = (publicKey: string) => ({ zone: "z", mode: "cluster", publicKey, startedAt: 0 })

/**
 * A node's view, and every hand-over keepViewLinked makes of it, with its virtual time; n2
 * announces its key before the hand-overs start.
 */
const linked = Effect.gen(function*() {
  const view = yield* makeMembershipView("n1", "z")
  yield* SubscriptionRef.set(view, { self: "n1", zone: "z", incarnation: 0, members, links: ["n2", "n3"] })
  const handOvers: Array<HandOver> = []
  const keepLinks = (wanted: ReadonlyArray<string> | undefined, keys: ReadonlyMap<string, string>) =>
    Effect.map(Clock.currentTimeMillis, (at) => {
      const announced = [...keys].sort(([a], [b]) => a.localeCompare(b)).map(([node, key]) => `${node}=${key.slice(0, 1)}`)
      handOvers.push({ at, links: wanted?.join(" ") ?? "all", keys: announced.join(" ") })
    })
  const { store } = yield* MemoryStore.make({ nodeId: "n1" as NodeId, maxDriftMs: 1000 })
  yield* Effect.orDie(store.put("node", "n2", nodeRecord(keyOf("2"))))
  yield* Effect.forkScoped(Effect.provideService(keepViewLinked(view, keepLinks), Store, store))
  yield* TestClock.adjust("1 second")
  return { view, handOvers, store }
})

const linkTo = (view: MembershipView, links: ReadonlyArray<string>) =>
  SubscriptionRef.update(view, (snapshot) => ({ ...snapshot, links }))

describe("keepViewLinked", () => {
  it.scoped("hands the view's links over a moment after it starts", () =>
    Effect.gen(function*() {
      const { handOvers } = yield* linked
      expect(handOvers).toEqual([{ at: 200, links: "n2 n3", keys: "n2=2" }])
    }))

  it.scoped("makes one hand-over of a burst of changes, with the links the view holds at its end", () =>
    Effect.gen(function*() {
      const { handOvers, view } = yield* linked
      for (const links of [["n2", "n4"], ["n2", "n5"], ["n2", "n6"]]) {
        yield* linkTo(view, links)
        yield* TestClock.adjust("50 millis")
      }
      yield* TestClock.adjust("1 second")
      expect(handOvers.slice(1).map(({ at, links }) => ({ at, links }))).toEqual([{ at: 1_200, links: "n2 n6" }])
    }))

  it.scoped("keeps handing over while the view changes without a pause", () =>
    Effect.gen(function*() {
      const { handOvers, view } = yield* linked
      for (let i = 0; i < 40; i++) {
        yield* linkTo(view, ["n2", i % 2 === 0 ? "n4" : "n5"])
        yield* TestClock.adjust("50 millis")
      }
      const during = handOvers.filter((handOver) => handOver.at > 1_000 && handOver.at <= 3_000)
      expect(during.length).toBeGreaterThanOrEqual(8)
      for (const [earlier, later] of during.slice(0, -1).map((handOver, i) => [handOver, during[i + 1]!] as const)) {
        expect(later.at - earlier.at).toBeLessThanOrEqual(250)
      }
    }))

  it.scoped("hands over nothing for a change that leaves the links as they were", () =>
    Effect.gen(function*() {
      const { handOvers, view } = yield* linked
      yield* SubscriptionRef.update(view, (snapshot) => ({ ...snapshot, incarnation: 1 }))
      yield* TestClock.adjust("1 second")
      expect(handOvers).toHaveLength(1)
    }))

  it.scoped("hands over every five seconds though nothing changes, for keys that arrived since", () =>
    Effect.gen(function*() {
      const { handOvers } = yield* linked
      yield* TestClock.adjust("10 seconds")
      expect(handOvers.map((handOver) => handOver.at)).toEqual([200, 5_200, 10_200])
    }))

  it.scoped("hands over a key that arrives, though the links stay as they were", () =>
    Effect.gen(function*() {
      const { handOvers, store } = yield* linked
      yield* Effect.orDie(store.put("node", "n3", nodeRecord(keyOf("3"))))
      yield* TestClock.adjust("1 second")
      expect(handOvers.slice(1)).toEqual([{ at: 1_200, links: "n2 n3", keys: "n2=2 n3=3" }])
    }))

  it.scoped("stops handing over the key of a member whose node record is deleted", () =>
    Effect.gen(function*() {
      const { handOvers, store } = yield* linked
      yield* Effect.orDie(store.delete("node", "n2"))
      yield* TestClock.adjust("1 second")
      expect(handOvers.at(-1)).toEqual({ at: 1_200, links: "n2 n3", keys: "" })
    }))

  it.scoped("hands over nothing for a node record whose key stays the same", () =>
    Effect.gen(function*() {
      const { handOvers, store } = yield* linked
      yield* Effect.orDie(store.put("node", "n2", { ...nodeRecord(keyOf("2")), startedAt: 5 }))
      yield* TestClock.adjust("1 second")
      expect(handOvers).toHaveLength(1)
    }))

  it.scoped("hands over no key of a node record it cannot read", () =>
    Effect.gen(function*() {
      const { handOvers, store, view } = yield* linked
      yield* Effect.orDie(store.put("node", "n3", { ...nodeRecord(keyOf("3")), publicKey: "not hex" }))
      yield* linkTo(view, ["n2", "n4"])
      yield* TestClock.adjust("1 second")
      expect(handOvers.at(-1)?.keys).toBe("n2=2")
    }))

  it("counts the view's links as a full mesh while they are every reachable member", () => {
    const snapshot = { self: "n1", zone: "z", incarnation: 0, members }
    expect(wantedLinks({ ...snapshot, links: ["n2", "n3", "n4", "n5", "n6", "n7"] })).toBeUndefined()
    expect(wantedLinks({ ...snapshot, links: ["n2", "n3"] })).toEqual(["n2", "n3"])
    const dead = new Map(members)
    for (const node of ["n4", "n5", "n6", "n7"]) dead.set(node, { ...members.get(node)!, state: "dead" })
    expect(wantedLinks({ ...snapshot, members: dead, links: ["n2", "n3"] })).toBeUndefined()
  })
})
