import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Stream, SubscriptionRef, TestClock } from "effect"
import { makeActorSystem } from "../../actors/runtime/index.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { Delta, type NodeId, Version } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import { antiEntropyBehaviour } from "../../transport/gossip/antiEntropy.actor.ts"
import { defaultGossipConfig, type GossipConfig } from "../../transport/gossip/gossip.config.ts"
import type { GossipEvent } from "../../transport/gossip/gossip.events.ts"
import { bucketOf, summarize, summaryBuckets } from "../../transport/gossip/digestSummary.ts"
import { decodeGossip, type GossipMessage } from "../../transport/gossip/gossip.wire.ts"
import { makeMembershipView } from "../../transport/gossip/membershipView.ts"
import { Transport, type TransportShape } from "../../transport/transport.ts"

const peers = ["n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"]

interface Sent {
  readonly to: string
  readonly bytes: number
  readonly message: GossipMessage
}

/** The anti-entropy actor of n1 over a transport that records what it sends. */
const antiEntropyOf = (config: Partial<GossipConfig>, records: number, leaves: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    const gossip: GossipConfig = { ...defaultGossipConfig, ...config }
    const sent: Array<Sent> = []
    const events: Array<GossipEvent> = []
    const transport: TransportShape = {
      self: "n1",
      send: (to, bytes) =>
        Effect.sync(() => {
          sent.push({ to, bytes: bytes.byteLength, message: Either.getOrThrow(decodeGossip(bytes, "n1", gossip)) })
        }),
      incoming: Stream.never,
      peerEvents: Stream.never,
      connected: Effect.succeed(peers),
      drop: () => Effect.void
    }
    const { store } = yield* MemoryStore.make({ nodeId: "n1" as NodeId, maxDriftMs: 1000 })
    for (let i = 0; i < records; i++) yield* store.put("template", `t${i}`, { image: "x".repeat(200), i })
    const view = yield* makeMembershipView("n1", "a")
    yield* SubscriptionRef.update(view, (snapshot) => ({
      ...snapshot,
      members: new Map(
        [...peers, ...leaves].map((node) => [node, { node, zone: "a", state: "alive" as const, incarnation: 0, changedAt: 0 }])
      ),
      leaves: new Set(leaves)
    }))
    const system = yield* Effect.acquireRelease(makeActorSystem, (system) => system.shutdown)
    const actor = yield* system.spawn(
      antiEntropyBehaviour({ config: gossip, view, onEvent: (event) => Effect.sync(() => events.push(event)) }),
      { name: "anti-entropy" }
    ).pipe(Effect.provideService(Transport, transport), Effect.provideService(Store, store))
    // Lets the actor start and the first round (at a random point of the first interval) pass.
    yield* TestClock.adjust(gossip.antiEntropyIntervalMs)
    const digestFrom = (from: string) =>
      actor.tell({ _tag: "Received", from, message: { _tag: "Digest", digest: {} } })
    return { actor, sent, events, store, gossip, digestFrom }
  })

const settle = Effect.repeatN(Effect.yieldNow(), 50)

/** A write made on another node (n9), as a Push would carry it. */
const pushedRecord = Effect.gen(function*() {
  const { store } = yield* MemoryStore.make({ nodeId: "n9" as NodeId, maxDriftMs: 1000 })
  const record = yield* store.put("space", "far", { from: "n9" })
  return { records: [record] }
})

/** Writes of n9: one of a kind knot knows, one of a kind it does not. */
const mixedDelta = Effect.gen(function*() {
  const { store } = yield* MemoryStore.make({ nodeId: "n9" as NodeId, maxDriftMs: 1000 })
  yield* store.put("template", "good", { image: "busybox" })
  yield* store.put("filler", "junk", { bytes: "x".repeat(100) })
  return yield* store.since({})
})

describe("anti-entropy", () => {
  it.scoped("refuses records of a kind it does not know and takes the rest of the delta", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({}, 0)
      const delta = yield* mixedDelta
      yield* node.actor.tell({ _tag: "Received", from: "n9", message: { _tag: "Delta", delta } })
      yield* node.actor.tell({ _tag: "Received", from: "n9", message: { _tag: "Delta", delta } })
      yield* settle
      expect((yield* node.store.get("template", "good"))?.value).toEqual({ image: "busybox" })
      expect(yield* node.store.get("filler", "junk")).toBeUndefined()
      expect((yield* node.store.digest)["n9"]).toEqual(delta.upTo["n9"])
      const refusals = node.events.filter((event) => event._tag === "RecordsRefused")
      expect(refusals.map((event) => event._tag === "RecordsRefused" && `${event.peer}/${event.kind}`)).toEqual(["n9/filler"])
    }))

  it.scoped("does not store or pass on a pushed record of an unknown kind", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({}, 0)
      const delta = yield* mixedDelta
      node.sent.length = 0
      yield* node.actor.tell({ _tag: "Received", from: "n9", message: { _tag: "Push", records: delta.records, hops: 3, until: "n1" } })
      yield* settle
      expect(yield* node.store.get("filler", "junk")).toBeUndefined()
      const passedOn = node.sent.flatMap((s) => (s.message._tag === "Push" ? s.message.records.map((r) => r.kind) : []))
      expect(passedOn).not.toContain("filler")
    }))

  it.scoped("answers a digest with what the peer lacks and its own digest", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({}, 3)
      node.sent.length = 0
      yield* node.digestFrom("n2")
      yield* settle
      const reply = node.sent.find((s) => s.to === "n2" && s.message._tag === "Delta")?.message
      expect(reply?._tag === "Delta" && reply.delta.records.map((r) => r.id).sort()).toEqual(["t0", "t1", "t2"])
      expect(reply?._tag === "Delta" && reply.digest).toEqual(yield* node.store.digest)
    }))

  it.scoped("opens a round with its whole digest while it holds no more origins than a summary has buckets", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({}, 3)
      node.sent.length = 0
      yield* TestClock.adjust(node.gossip.antiEntropyIntervalMs)
      const opening = node.sent.map((s) => s.message)
      expect(opening.length).toBe(node.gossip.fanout)
      for (const message of opening) expect(message).toEqual({ _tag: "Digest", digest: yield* node.store.digest })
    }))

  it.scoped("opens a round with a summary of a fixed size once it holds more origins", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({}, 3)
      const origins = Array.from({ length: 40 }, (_, i) => `n${100 + i}`)
      const upTo = Object.fromEntries(origins.map((origin) => [origin, new Version({ wall: 0, counter: 1, node: origin as NodeId })]))
      yield* node.store.applyDelta(new Delta({ records: [], upTo }))
      node.sent.length = 0
      yield* TestClock.adjust(node.gossip.antiEntropyIntervalMs)
      const opening = node.sent.map((s) => s.message)
      expect(opening.length).toBe(node.gossip.fanout)
      for (const message of opening) expect(message._tag === "Summary" && message.buckets.length).toBe(summaryBuckets)
    }))

  it.scoped("stays silent when a peer's summary agrees with its own", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({}, 3)
      node.sent.length = 0
      const buckets = summarize(yield* node.store.digest)
      yield* node.actor.tell({ _tag: "Received", from: "n2", message: { _tag: "Summary", buckets } })
      yield* settle
      expect(node.sent.filter((s) => s.to === "n2")).toEqual([])
    }))

  it.scoped("answers a summary that differs with its watermarks of the differing buckets alone", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({}, 3)
      node.sent.length = 0
      const mine = summarize(yield* node.store.digest)
      const theirs = mine.map((hash, bucket) => (bucket === bucketOf("n1") ? "" : hash))
      yield* node.actor.tell({ _tag: "Received", from: "n2", message: { _tag: "Summary", buckets: theirs } })
      yield* settle
      const reply = node.sent.find((s) => s.to === "n2")?.message
      expect(reply).toEqual({ _tag: "Digest", digest: yield* node.store.digest, buckets: [bucketOf("n1")] })
    }))

  it.scoped("answers a partial digest with what the peer lacks in its buckets, and its own watermarks of them", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({}, 3)
      node.sent.length = 0
      const buckets = [bucketOf("n1")]
      yield* node.actor.tell({ _tag: "Received", from: "n2", message: { _tag: "Digest", digest: {}, buckets } })
      yield* settle
      const reply = node.sent.find((s) => s.to === "n2")?.message
      expect(reply?._tag === "Delta" && reply.delta.records.map((r) => r.id).sort()).toEqual(["t0", "t1", "t2"])
      expect(reply?._tag === "Delta" && [reply.digest, reply.buckets]).toEqual([yield* node.store.digest, buckets])
    }))

  it.scoped("sends no more than its byte budget per round, however many peers ask", () =>
    Effect.gen(function*() {
      const budget = 4096
      const node = yield* antiEntropyOf({ maxBytesPerRound: budget, maxDeltaBytes: 2048 }, 100)
      node.sent.length = 0
      for (const peer of peers) yield* node.digestFrom(peer)
      yield* settle
      const deltas = node.sent.filter((s) => s.message._tag === "Delta")
      const record = Math.max(...deltas.map((s) => s.bytes))
      expect(deltas.length).toBeGreaterThan(0)
      expect(deltas.length).toBeLessThan(peers.length)
      expect(deltas.reduce((sum, s) => sum + s.bytes, 0)).toBeLessThanOrEqual(budget + record)
    }))

  it.scoped("answers again once the next round has begun", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({ maxBytesPerRound: 4096, maxDeltaBytes: 2048 }, 100)
      for (const peer of peers) yield* node.digestFrom(peer)
      yield* settle
      node.sent.length = 0
      yield* TestClock.adjust(node.gossip.antiEntropyIntervalMs)
      yield* node.digestFrom("n9")
      yield* settle
      expect(node.sent.some((s) => s.to === "n9" && s.message._tag === "Delta")).toBe(true)
    }))

  it.scoped("pushes a new local write at once to fanout peers", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({ fanout: 3 }, 0)
      node.sent.length = 0
      yield* node.store.put("space", "s1", { desired: "running" })
      yield* settle
      const pushes = node.sent.filter((s) => s.message._tag === "Push")
      expect(pushes.length).toBe(3)
      expect(new Set(pushes.map((s) => s.to)).size).toBe(3)
    }))

  it.scoped("pushes a new local write with a hop limit of log2 of the members, plus two", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({ fanout: 3 }, 0)
      node.sent.length = 0
      yield* node.store.put("space", "s1", { desired: "running" })
      yield* settle
      // Eight reachable peers: ⌈log2 9⌉ + 2.
      expect(node.sent.map((s) => s.message._tag === "Push" && s.message.hops)).toEqual([6, 6, 6])
    }))

  it.scoped("passes a pushed write that is new to it down its share of the tree, once, with one hop less", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({ fanout: 2 }, 0)
      const { records } = yield* pushedRecord
      node.sent.length = 0
      // n1's share: the ring interval (n1, n6), i.e. n2 to n5.
      const push = { _tag: "Push", records, hops: 4, until: "n6" } as const
      yield* node.actor.tell({ _tag: "Received", from: "n9", message: push })
      yield* settle
      expect(node.sent.map((s) => s.message._tag === "Push" && [s.to, s.message.until, s.message.hops])).toEqual([
        ["n2", "n4", 3],
        ["n4", "n6", 3]
      ])
      node.sent.length = 0
      yield* node.actor.tell({ _tag: "Received", from: "n3", message: push })
      yield* settle
      expect(node.sent).toEqual([])
    }))

  it.scoped("forwards nothing when the push has no hop left", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({ fanout: 3 }, 0)
      const { records } = yield* pushedRecord
      node.sent.length = 0
      yield* node.actor.tell({ _tag: "Received", from: "n2", message: { _tag: "Push", records, hops: 1, until: "n6" } })
      yield* settle
      expect(node.sent).toEqual([])
      expect((yield* node.store.get("space", "far"))?.value).toEqual({ from: "n9" })
    }))

  it.scoped("hands a new local write to each of its leaves with no hop to pass on, and keeps them out of the tree", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({ fanout: 3 }, 0, ["leaf-a", "leaf-b"])
      node.sent.length = 0
      yield* node.store.put("space", "s1", { desired: "running" })
      yield* settle
      const pushes = node.sent.flatMap((s) => (s.message._tag === "Push" ? [[s.to, s.message.hops, s.message.until]] : []))
      expect(pushes.filter(([to]) => String(to).startsWith("leaf"))).toEqual([["leaf-a", 1, undefined], ["leaf-b", 1, undefined]])
      const tree = pushes.filter(([to]) => !String(to).startsWith("leaf"))
      expect(tree.length).toBe(3)
      expect(tree.every(([, hops, until]) => hops === 6 && typeof until === "string" && !until.startsWith("leaf"))).toBe(true)
    }))

  it.scoped("passes a pushed write that is new to it on to its leaves, even with no hop left for the tree", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({ fanout: 3 }, 0, ["leaf-a"])
      const { records } = yield* pushedRecord
      node.sent.length = 0
      yield* node.actor.tell({ _tag: "Received", from: "n2", message: { _tag: "Push", records, hops: 1, until: "n6" } })
      yield* settle
      expect(node.sent.map((s) => s.message._tag === "Push" && [s.to, s.message.hops])).toEqual([["leaf-a", 1]])
    }))

  it.scoped("spreads a write its leaf pushed over the whole ring, whatever range the leaf named, and not back to that leaf", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({ fanout: 2 }, 0, ["leaf-a", "leaf-b"])
      const { records } = yield* pushedRecord
      node.sent.length = 0
      yield* node.actor.tell({ _tag: "Received", from: "leaf-a", message: { _tag: "Push", records, hops: 2, until: "leaf-a" } })
      yield* settle
      // The whole ring but n1: n2 to n9, in two parts, at the full hop limit; and the other leaf.
      expect(node.sent.map((s) => s.message._tag === "Push" && [s.to, s.message.until, s.message.hops])).toEqual([
        ["n2", "n6", 6],
        ["n6", "n1", 6],
        ["leaf-b", undefined, 1]
      ])
    }))

  it.scoped("refuses a delta from a key holder that claims a watermark 10^15 ms ahead for another node, and still takes that node's later writes", () =>
    Effect.gen(function*() {
      const node = yield* antiEntropyOf({}, 0)
      const { store: n2 } = yield* MemoryStore.make({ nodeId: "n2" as NodeId, maxDriftMs: 1000 })
      const forged = new Delta({ records: [], upTo: { n2: new Version({ wall: 1e15, counter: 0, node: "n2" as NodeId }) } })
      yield* node.actor.tell({ _tag: "Received", from: "n9", message: { _tag: "Delta", delta: forged } })
      yield* settle
      expect(node.events.some((event) => event._tag === "SyncRefused" && event.peer === "n9")).toBe(true)
      expect((yield* node.store.digest)["n2"]).toBeUndefined()
      yield* n2.put("template", "later", { image: "busybox" })
      yield* node.actor.tell({ _tag: "Received", from: "n2", message: { _tag: "Delta", delta: yield* n2.since({}) } })
      yield* settle
      expect((yield* node.store.get("template", "later"))?.value).toEqual({ image: "busybox" })
    }))
})
