import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Layer, Stream, TestClock } from "effect"
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
