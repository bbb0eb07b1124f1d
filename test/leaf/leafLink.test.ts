import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Queue, Stream, SubscriptionRef } from "effect"
import { makeActorSystem } from "../../actors/runtime/index.ts"
import { defaultGossipConfig } from "../../transport/gossip/gossip.config.ts"
import { decodeGossip, type GossipMessage } from "../../transport/gossip/gossip.wire.ts"
import { makeMembershipView } from "../../transport/gossip/membershipView.ts"
import { leafLinkBehaviour } from "../../transport/leaf/leafLink.actor.ts"
import { OriginLinkLive } from "../../transport/leaf/originLink.live.ts"
import { type PeerEvent, Transport, type TransportShape } from "../../transport/transport.ts"

const limits = { maxFrameBytes: 256 * 1024 }
const config = { ...defaultGossipConfig, zone: "laptop" }

/** A leaf link over a hand-fed transport whose origin is "origin"; what it sends is kept. */
const leafLink = Effect.gen(function*() {
  const events = yield* Queue.unbounded<PeerEvent>()
  const sent = yield* Queue.unbounded<readonly [string, GossipMessage]>()
  const dropped: Array<string> = []
  const transport: TransportShape = {
    self: "leaf",
    send: (peer, bytes) =>
      Either.match(decodeGossip(bytes, "leaf", limits), {
        onLeft: () => Effect.void,
        onRight: (message) => Queue.offer(sent, [peer, message])
      }),
    incoming: Stream.never,
    peerEvents: Stream.fromQueue(events),
    connected: Effect.succeed([]),
    drop: (peer) => Effect.sync(() => void dropped.push(peer))
  }
  const view = yield* makeMembershipView("leaf", "laptop")
  const originLink = yield* OriginLinkLive.make({ origin: "ab".repeat(32) })
  const system = yield* Effect.acquireRelease(makeActorSystem, (system) => system.shutdown)
  const link = yield* system.spawn(
    leafLinkBehaviour({
      config,
      view,
      onEvent: () => Effect.void,
      isOrigin: (peer) => Effect.succeed(peer === "origin"),
      originLink
    }),
    { name: "origin-link" }
  ).pipe(Effect.provideService(Transport, transport))
  const up = (peer: string) => Queue.offer(events, { _tag: "PeerUp", peer })
  const down = (peer: string) => Queue.offer(events, { _tag: "PeerDown", peer, reason: "gone" })
  /** Waits until the view shows `count` members (the actor handles its messages in order). */
  const members = (count: number) =>
    SubscriptionRef.get(view).pipe(
      Effect.map((snapshot) => [...snapshot.members.keys()]),
      Effect.repeat({ until: (keys) => keys.length === count }),
      Effect.timeout("5 seconds")
    )
  return { link, view, sent, dropped, originLink, up, down, members }
})

describe("a leaf's link to its origin", () => {
  it.scoped("shows the linked origin as its only member and reports it connected", () =>
    Effect.gen(function*() {
      const leaf = yield* leafLink
      yield* leaf.up("origin")
      expect(yield* leaf.members(1)).toEqual(["origin"])
      expect(yield* leaf.originLink.status).toMatchObject({ state: "connected", node: "origin" })
    }))

  it.scoped("empties its view and reports the origin unreachable when the link drops", () =>
    Effect.gen(function*() {
      const leaf = yield* leafLink
      yield* leaf.up("origin")
      yield* leaf.members(1)
      yield* leaf.down("origin")
      expect(yield* leaf.members(0)).toEqual([])
      expect((yield* leaf.originLink.status).state).toBe("unreachable")
    }))

  it.scoped("closes a link to any peer that is not its origin", () =>
    Effect.gen(function*() {
      const leaf = yield* leafLink
      yield* leaf.up("stranger")
      yield* leaf.up("origin")
      yield* leaf.members(1)
      expect(leaf.dropped).toEqual(["stranger"])
    }))

  it.scoped("answers its origin's Ping with an Ack that says it is alive", () =>
    Effect.gen(function*() {
      const leaf = yield* leafLink
      yield* leaf.up("origin")
      yield* leaf.members(1)
      yield* leaf.link.tell({ _tag: "Received", from: "origin", message: { _tag: "Ping", seq: 4, updates: [] } })
      const [to, message] = yield* Queue.take(leaf.sent)
      expect(to).toBe("origin")
      expect(message).toEqual({
        _tag: "Ack",
        seq: 4,
        updates: [{ node: "leaf", zone: "laptop", status: "alive", incarnation: 0 }]
      })
    }))

  it.scoped("refutes a rumour of its death with a higher incarnation", () =>
    Effect.gen(function*() {
      const leaf = yield* leafLink
      yield* leaf.up("origin")
      yield* leaf.members(1)
      const rumour = { node: "leaf", zone: "laptop", status: "dead" as const, incarnation: 3 }
      yield* leaf.link.tell({ _tag: "Received", from: "origin", message: { _tag: "MembershipUpdates", updates: [rumour] } })
      const [, message] = yield* Queue.take(leaf.sent)
      expect(message).toEqual({
        _tag: "MembershipUpdates",
        updates: [{ node: "leaf", zone: "laptop", status: "alive", incarnation: 4 }]
      })
      expect((yield* SubscriptionRef.get(leaf.view)).incarnation).toBe(4)
    }))

  it.scoped("keeps no rumour about members other than its origin", () =>
    Effect.gen(function*() {
      const leaf = yield* leafLink
      yield* leaf.up("origin")
      yield* leaf.members(1)
      const other = { node: "other", zone: "laptop", status: "alive" as const, incarnation: 0 }
      yield* leaf.link.tell({ _tag: "Received", from: "origin", message: { _tag: "Ping", seq: 1, updates: [other] } })
      yield* Queue.take(leaf.sent)
      expect([...(yield* SubscriptionRef.get(leaf.view)).members.keys()]).toEqual(["origin"])
    }))
})
