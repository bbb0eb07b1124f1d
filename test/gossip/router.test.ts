import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Either, Queue, Stream } from "effect"
import { makeActorSystem } from "../../actors/runtime/index.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import type { NodeId } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import type { GossipEvent } from "../../transport/gossip/gossip.events.ts"
import { decodeGossip, encodeGossip, type GossipMessage } from "../../transport/gossip/gossip.wire.ts"
import { makeMembershipView } from "../../transport/gossip/membershipView.ts"
import { type Incoming, Transport, type TransportShape } from "../../transport/transport.ts"
import { spawnGossip } from "../../transport/gossip/spawnGossip.ts"
import type { Behaviour } from "../../actors/runtime/index.ts"

const limits = { maxFrameBytes: 256 * 1024 }

/** A node with gossip over a hand-fed transport: frames go in by hand, what it sends is kept. */
const gossipingNode = Effect.gen(function*() {
  const incoming = yield* Queue.unbounded<Incoming>()
  const dropped: Array<string> = []
  const events: Array<GossipEvent> = []
  const acked = yield* Deferred.make<string>()
  const transport: TransportShape = {
    self: "n1",
    send: (peer, bytes) => {
      const message = decodeGossip(bytes, "n1", limits)
      return Either.isRight(message) && message.right._tag === "Ack" ? Deferred.succeed(acked, peer) : Effect.void
    },
    incoming: Stream.fromQueue(incoming),
    peerEvents: Stream.empty,
    connected: Effect.succeed(["n2"]),
    drop: (peer) => Effect.sync(() => void dropped.push(peer))
  }
  const store = yield* MemoryStore.make({ nodeId: "n1" as NodeId, maxDriftMs: 1000 })
  const view = yield* makeMembershipView("n1", "a")
  const system = yield* Effect.acquireRelease(makeActorSystem, (system) => system.shutdown)
  const host: Behaviour<never, unknown, Transport | Store> = {
    init: (ctx) => spawnGossip(ctx, { view, onEvent: (event) => Effect.sync(() => void events.push(event)) }),
    receive: (state) => Effect.succeed(state)
  }
  yield* system.spawn(host, { name: "node" }).pipe(Effect.provideService(Transport, transport), Effect.provideService(Store, store.store))
  const deliver = (from: string, bytes: Uint8Array) => Queue.offer(incoming, { from, bytes })
  const frame = (message: GossipMessage) => Either.getOrThrow(encodeGossip(message, "n2", limits))
  return { deliver, frame, dropped, events, acked, system }
})

describe("gossip router", () => {
  it.scoped("drops a peer that sends a malformed frame and keeps serving the others", () =>
    Effect.gen(function*() {
      const node = yield* gossipingNode
      yield* node.deliver("n9", new TextEncoder().encode("\u0001{definitely not gossip"))
      yield* node.deliver("n2", node.frame({ _tag: "Ping", seq: 7, updates: [] }))
      expect(yield* Deferred.await(node.acked)).toBe("n2")
      expect(node.dropped).toEqual(["n9"])
      expect(node.events.map((event) => event._tag)).toContain("PeerDropped")
      expect(yield* node.system.paths).toEqual(["node", "node/membership", "node/anti-entropy"])
    }))

  it.scoped("drops a peer whose frame exceeds the size limit", () =>
    Effect.gen(function*() {
      const node = yield* gossipingNode
      yield* node.deliver("n9", new Uint8Array(limits.maxFrameBytes + 1))
      yield* node.deliver("n2", node.frame({ _tag: "Ping", seq: 8, updates: [] }))
      yield* Deferred.await(node.acked)
      expect(node.dropped).toEqual(["n9"])
    }))
})
