import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Stream, SubscriptionRef, TestClock } from "effect"
import { makeActorSystem } from "../../actors/runtime/index.ts"
import { defaultGossipConfig, type GossipConfig } from "../../transport/gossip/gossip.config.ts"
import { decodeGossip, type GossipMessage } from "../../transport/gossip/gossip.wire.ts"
import { MemberBuckets } from "../../transport/gossip/memberBuckets.ts"
import { membershipBehaviour } from "../../transport/gossip/membership.actor.ts"
import { makeMembershipView, statusOf } from "../../transport/gossip/membershipView.ts"
import { linksOf } from "../../transport/gossip/overlay.ts"
import { Transport, type TransportShape } from "../../transport/transport.ts"

const config: GossipConfig = {
  ...defaultGossipConfig,
  zone: "a",
  probeIntervalMs: 1000,
  probeTimeoutMs: 300,
  suspicionTimeoutMs: 3000,
  maxLocalHealth: 0
}

/** n1's membership actor among peers that never answer; what it sends is recorded. */
const membershipOf = (peers: ReadonlyArray<string>, leaves: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    const sent: Array<{ readonly to: string; readonly message: GossipMessage }> = []
    const transport: TransportShape = {
      self: "n1",
      send: (to, bytes) =>
        Effect.sync(() => void sent.push({ to, message: Either.getOrThrow(decodeGossip(bytes, "n1", config)) })),
      incoming: Stream.never,
      peerEvents: Stream.never,
      connected: Effect.succeed(peers),
      drop: () => Effect.void
    }
    const view = yield* makeMembershipView("n1", "a")
    const system = yield* Effect.acquireRelease(makeActorSystem, (system) => system.shutdown)
    const isLeaf = (peer: string) => Effect.succeed(leaves.includes(peer))
    const actor = yield* system.spawn(membershipBehaviour({ config, view, onEvent: () => Effect.void, isLeaf }), {
      name: "membership"
    }).pipe(Effect.provideService(Transport, transport))
    const statusOfPeer = (peer: string) =>
      Effect.map(SubscriptionRef.get(view), (snapshot) => {
        const member = snapshot.members.get(peer)
        return member === undefined ? undefined : statusOf(member.state)
      })
    return { actor, sent, view, statusOfPeer }
  })

const settle = Effect.repeatN(Effect.yieldNow(), 50)

describe("membership", () => {
  it.scoped("refutes a suspicion of itself with a higher incarnation", () =>
    Effect.gen(function*() {
      const node = yield* membershipOf(["n2"])
      yield* node.actor.tell({
        _tag: "Received",
        from: "n2",
        message: { _tag: "Ping", seq: 1, updates: [{ node: "n1", zone: "a", status: "suspect", incarnation: 0 }] }
      })
      yield* settle
      const ack = node.sent.find((s) => s.message._tag === "Ack")?.message
      expect(ack?._tag === "Ack" ? ack.updates : []).toContainEqual({ node: "n1", zone: "a", status: "alive", incarnation: 1 })
      expect((yield* SubscriptionRef.get(node.view)).incarnation).toBe(1)
    }))

  it.scoped("asks others to probe a member that does not answer", () =>
    Effect.gen(function*() {
      const node = yield* membershipOf(["n2", "n3"])
      yield* TestClock.adjust(config.probeIntervalMs + config.probeTimeoutMs)
      yield* settle
      const pingReqs = node.sent.filter((s) => s.message._tag === "PingReq")
      expect(pingReqs.length).toBeGreaterThan(0)
    }))

  it.scoped("suspects a silent member, then declares it dead after the suspicion timeout", () =>
    Effect.gen(function*() {
      const node = yield* membershipOf(["n2"])
      yield* TestClock.adjust(2 * config.probeIntervalMs)
      yield* settle
      expect(yield* node.statusOfPeer("n2")).toBe("suspect")
      yield* TestClock.adjust(config.suspicionTimeoutMs + config.probeIntervalMs)
      yield* settle
      expect(yield* node.statusOfPeer("n2")).toBe("dead")
    }))

  it.scoped("takes a dead member back when it rejoins with a higher incarnation", () =>
    Effect.gen(function*() {
      const node = yield* membershipOf(["n2"])
      yield* TestClock.adjust(config.suspicionTimeoutMs + 3 * config.probeIntervalMs)
      yield* settle
      expect(yield* node.statusOfPeer("n2")).toBe("dead")
      yield* node.actor.tell({
        _tag: "Received",
        from: "n2",
        message: { _tag: "Ack", seq: 99, updates: [{ node: "n2", zone: "a", status: "alive", incarnation: 1 }] }
      })
      yield* settle
      expect(yield* node.statusOfPeer("n2")).toBe("alive")
    }))

  it.scoped("beyond 16 other members, probes and swaps state with its links alone, O(log n) of them", () =>
    Effect.gen(function*() {
      const peers = Array.from({ length: 40 }, (_, i) => `p${String(i).padStart(2, "0")}`)
      const node = yield* membershipOf(peers)
      yield* TestClock.adjust(4 * config.probeIntervalMs)
      yield* settle
      const links = linksOf("n1", [...peers, "n1"].sort(), config.fullMeshUpTo)
      expect(links.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(41)))
      const talkedTo = new Set(node.sent.map((s) => s.to))
      expect(talkedTo.size).toBeGreaterThan(0)
      for (const peer of talkedTo) expect(links).toContain(peer)
      expect((yield* SubscriptionRef.get(node.view)).links?.slice().sort()).toEqual([...links].sort())
      expect(node.sent.some((s) => s.message._tag === "MembershipSummary")).toBe(true)
    }))

  it.scoped("stays silent on a membership summary that agrees with its own, and answers one that differs with its state", () =>
    Effect.gen(function*() {
      const node = yield* membershipOf(["n2"])
      yield* settle
      const same = new MemberBuckets()
      same.set({ node: "n1", zone: "a", status: "alive", incarnation: 0 })
      same.set({ node: "n2", zone: "", status: "alive", incarnation: 0 })
      yield* node.actor.tell({ _tag: "Received", from: "n2", message: { _tag: "MembershipSummary", buckets: [...same.summary()] } })
      yield* settle
      expect(node.sent.filter((s) => s.message._tag === "MembershipState")).toEqual([])
      const empty = Array.from({ length: 16 }, () => "")
      yield* node.actor.tell({ _tag: "Received", from: "n2", message: { _tag: "MembershipSummary", buckets: empty } })
      yield* settle
      const state = node.sent.find((s) => s.message._tag === "MembershipState")
      expect(state?.to).toBe("n2")
      expect(state?.message._tag === "MembershipState" && state.message.reply).toBe(true)
      expect(state?.message._tag === "MembershipState" ? state.message.members.map((m) => m.node).sort() : []).toEqual([
        "n1",
        "n2"
      ])
    }))

  it.scoped("takes a death heard in a swap of state as a suspicion, so that the member can still refute", () =>
    Effect.gen(function*() {
      const node = yield* membershipOf(["n2", "n3"])
      yield* settle
      yield* node.actor.tell({
        _tag: "Received",
        from: "n2",
        message: {
          _tag: "MembershipState",
          members: [{ node: "n3", zone: "a", status: "dead", incarnation: 0 }],
          buckets: [],
          reply: false
        }
      })
      yield* settle
      expect(yield* node.statusOfPeer("n3")).toBe("suspect")
    }))

  it.scoped("probes a leaf of its own, but keeps it out of the state it swaps and the rumours it spreads", () =>
    Effect.gen(function*() {
      const node = yield* membershipOf(["n2", "l1"], ["l1"])
      yield* TestClock.adjust(4 * config.probeIntervalMs + config.suspicionTimeoutMs)
      yield* settle
      expect(node.sent.some((s) => s.to === "l1" && s.message._tag === "Ping")).toBe(true)
      expect(yield* node.statusOfPeer("l1")).not.toBe("alive")
      yield* node.actor.tell({
        _tag: "Received",
        from: "n2",
        message: { _tag: "MembershipSummary", buckets: Array.from({ length: 16 }, () => "") }
      })
      yield* settle
      const toN2 = node.sent.filter((s) => s.to === "n2").map((s) => s.message)
      expect(toN2.some((message) => message._tag === "MembershipState")).toBe(true)
      const told = toN2.flatMap((message) =>
        "updates" in message ? message.updates : message._tag === "MembershipState" ? message.members : []
      )
      expect(told.filter((update) => update.node === "l1")).toEqual([])
      expect(node.sent.filter((s) => s.message._tag === "PingReq" && s.message.target === "l1")).toEqual([])
    }))
})
