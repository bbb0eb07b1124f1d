import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Layer, Stream, SubscriptionRef, TestClock } from "effect"
import { ClusterView } from "../../actors/node/clusterView.ts"
import { GossipClusterView } from "../../actors/node/clusterView.gossip.ts"
import { makeActorSystem } from "../../actors/runtime/index.ts"
import { defaultGossipConfig, type GossipConfig } from "../../transport/gossip/gossip.config.ts"
import { decodeGossip } from "../../transport/gossip/gossip.wire.ts"
import { membershipBehaviour } from "../../transport/gossip/membership.actor.ts"
import { makeMembershipView } from "../../transport/gossip/membershipView.ts"
import { Transport, type TransportShape } from "../../transport/transport.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import type { MemberView } from "../../effects/http/api.schemas.ts"

const config: GossipConfig = { ...defaultGossipConfig, zone: "a", probeIntervalMs: 1000, probeTimeoutMs: 300 }

/** n1's membership and cluster view, with n2 and n3 connected; n2 talks to it, n3 never does. */
const clusterOfThree = Effect.gen(function*() {
  const transport: TransportShape = {
    self: "n1",
    send: (_to, bytes) => Effect.sync(() => void Either.getOrThrow(decodeGossip(bytes, "n1", config))),
    incoming: Stream.never,
    peerEvents: Stream.never,
    connected: Effect.succeed(["n2", "n3"]),
    drop: () => Effect.void
  }
  const view = yield* makeMembershipView("n1", "a")
  const system = yield* Effect.acquireRelease(makeActorSystem, (system) => system.shutdown)
  const membership = yield* system.spawn(membershipBehaviour({ config, view, onEvent: () => Effect.void }), {
    name: "membership"
  }).pipe(Effect.provideService(Transport, transport))
  const services = yield* Layer.build(
    GossipClusterView.layer({ view, mode: "cluster" }).pipe(
      Layer.provide(MemoryStore.layer({ nodeId: NodeId.make("n1"), maxDriftMs: 60_000 }))
    )
  )
  const cluster = Context.get(services, ClusterView)
  const member = (id: string) => Effect.map(cluster.members, (members) => members.find((m) => m.id === id))
  return { membership, member }
})

const settle = Effect.repeatN(Effect.yieldNow(), 50)

describe("knot cluster status's LAST CONTACT", () => {
  it.scoped("is when a member last sent this node anything, not when its state last changed", () =>
    Effect.gen(function*() {
      const node = yield* clusterOfThree
      const ping = (seq: number) =>
        node.membership.tell({
          _tag: "Received",
          from: "n2",
          message: { _tag: "Ping", seq, updates: [{ node: "n2", zone: "a", status: "alive", incarnation: 0 }] }
        })
      // Alive from its first ping on; it then keeps talking, every half second for 30 s.
      for (let seq = 0; seq <= 60; seq++) {
        if (seq > 0) yield* TestClock.adjust("500 millis")
        yield* ping(seq)
        yield* settle
      }
      const n2 = yield* node.member("n2")
      expect(n2?.state).toBe("alive")
      expect(n2?.lastContact).toBe(30_000)
    }))

  it.scoped("is absent for a member this node has never heard from", () =>
    Effect.gen(function*() {
      const node = yield* clusterOfThree
      yield* settle
      const n3 = yield* node.member("n3")
      expect(n3).toBeDefined()
      expect(n3?.lastContact).toBeUndefined()
    }))
})

/** n2's cluster view over node records that n1 (a cluster node) and a leaf wrote; n2's membership holds n1 alone, in `n1State`. */
const viewOfN2 = (records: ReadonlyArray<readonly [string, object]>, n1State: MemberView["state"] = "alive") =>
  Effect.gen(function*() {
    const view = yield* makeMembershipView("n2", "a")
    yield* SubscriptionRef.update(view, (snapshot) => ({
      ...snapshot,
      members: new Map([["n1", { node: "n1", zone: "a", state: n1State, incarnation: 0, changedAt: 0 }]])
    }))
    const services = yield* Layer.build(
      GossipClusterView.layer({ view, mode: "cluster" }).pipe(
        Layer.provideMerge(MemoryStore.layer({ nodeId: NodeId.make("n2"), maxDriftMs: 60_000 }))
      )
    )
    const store = Context.get(services, Store)
    for (const [id, value] of records) yield* store.put("node", id, value)
    return (yield* Context.get(services, ClusterView).members).find((member) => member.id === "l1")
  })

const linksOf = (id: string, mode: "cluster" | "leaf", state: MemberView["state"]) =>
  [id, { zone: "a", name: id, mode, startedAt: 1, leaves: [{ id: "l1", state, since: 1 }] }] as const
const laptop = ["l1", { zone: "home", name: "laptop", mode: "leaf", startedAt: 1, origin: "n1" }] as const

describe("knot cluster status on a cluster node that is not the leaf's origin", () => {
  it.scoped("shows the leaf with the state its origin gives its link, via the origin", () =>
    Effect.gen(function*() {
      expect(yield* viewOfN2([linksOf("n1", "cluster", "alive"), laptop])).toMatchObject({ mode: "leaf", name: "laptop", state: "alive", via: "n1" })
      expect((yield* viewOfN2([linksOf("n1", "cluster", "dead"), laptop]))?.state).toBe("dead")
    }))

  it.scoped("shows a linked leaf no more alive than the origin it is reached through", () =>
    Effect.gen(function*() {
      const records = [linksOf("n1", "cluster", "alive"), laptop]
      expect((yield* viewOfN2(records, "suspect"))?.state).toBe("suspect")
      expect((yield* viewOfN2(records, "dead"))?.state).toBe("dead")
    }))

  it.scoped("takes no leaf's record as word on another leaf's link", () =>
    Effect.gen(function*() {
      const listed = yield* viewOfN2([linksOf("l9", "leaf", "alive"), laptop])
      expect(listed).toMatchObject({ state: "dead" })
      expect(listed?.via).toBeUndefined()
    }))
})
