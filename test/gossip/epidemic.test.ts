/**
 * A write spreading as an epidemic, with no anti-entropy round at all (the interval is far
 * beyond the test): 100 anti-entropy actors with their own stores over an in-memory network
 * that delivers every frame, counting for each node the hop at which the write first reached
 * it, and every push that reached a node which already had it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Stream, SubscriptionRef } from "effect"
import { type ActorRef, makeActorSystem } from "../../actors/runtime/index.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import type { NodeId } from "../../storage/record.ts"
import { Store, type StoreShape } from "../../storage/store.ts"
import { type AntiEntropyCommand, antiEntropyBehaviour } from "../../transport/gossip/antiEntropy.actor.ts"
import { defaultGossipConfig, type GossipConfig } from "../../transport/gossip/gossip.config.ts"
import { decodeGossip } from "../../transport/gossip/gossip.wire.ts"
import { makeMembershipView } from "../../transport/gossip/membershipView.ts"
import { Transport, type TransportShape } from "../../transport/transport.ts"

const nodeCount = 100
const config: GossipConfig = { ...defaultGossipConfig, antiEntropyIntervalMs: 1_000_000_000 }

interface Epidemic {
  readonly stores: Map<string, StoreShape>
  /** Per node, the hop at which the write first reached it. */
  readonly reachedAt: Map<string, number>
  /** Pushes delivered to a node that already held their record. */
  duplicates: number
  /** Bytes each node sent. */
  readonly bytesSent: Map<string, number>
  hopLimit: number
}

const startCluster = Effect.gen(function*() {
  const ids = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`)
  const actors = new Map<string, ActorRef<AntiEntropyCommand>>()
  const epidemic: Epidemic = { stores: new Map(), reachedAt: new Map(), duplicates: 0, bytesSent: new Map(), hopLimit: 0 }
  const system = yield* Effect.acquireRelease(makeActorSystem, (actorSystem) => actorSystem.shutdown)
  for (const id of ids) {
    const { store } = yield* MemoryStore.make({ nodeId: id as NodeId, maxDriftMs: 60_000 })
    epidemic.stores.set(id, store)
    const transport: TransportShape = {
      self: id,
      send: (to, bytes) =>
        Effect.suspend(() => {
          epidemic.bytesSent.set(id, (epidemic.bytesSent.get(id) ?? 0) + bytes.byteLength)
          const message = Either.getOrThrow(decodeGossip(bytes, id, config))
          if (message._tag !== "Push") return Effect.void
          if (id === "n1") epidemic.hopLimit = Math.max(epidemic.hopLimit, message.hops)
          return Effect.gen(function*() {
            const held = yield* Effect.orDie(epidemic.stores.get(to)!.get(message.records[0]!.kind, message.records[0]!.id))
            if (held !== undefined || to === "n1") epidemic.duplicates++
            else if (!epidemic.reachedAt.has(to)) epidemic.reachedAt.set(to, epidemic.hopLimit - message.hops + 1)
            yield* actors.get(to)!.tell({ _tag: "Received", from: id, message })
          })
        }),
      incoming: Stream.never,
      peerEvents: Stream.never,
      connected: Effect.succeed(ids.filter((other) => other !== id)),
      drop: () => Effect.void
    }
    const view = yield* makeMembershipView(id, "a")
    yield* SubscriptionRef.update(view, (snapshot) => ({
      ...snapshot,
      members: new Map(
        ids.filter((other) => other !== id).map((node) => [node, { node, zone: "a", state: "alive" as const, incarnation: 0, changedAt: 0 }])
      )
    }))
    const actor = yield* system.spawn(antiEntropyBehaviour({ config, view, onEvent: () => Effect.void }), {
      name: `anti-entropy-${id}`
    }).pipe(Effect.provideService(Transport, transport), Effect.provideService(Store, store))
    actors.set(id, actor)
  }
  return epidemic
})

/** Lets every mailbox drain: the network delivers at once, so the epidemic ends without time passing. */
const quiesce = Effect.repeatN(Effect.yieldNow(), 5_000)

describe("a write as an epidemic", () => {
  it.scoped("reaches every node of 100 within log2(100) + 3 hops with no anti-entropy round, duplicates under 3 per node", () =>
    Effect.gen(function*() {
      const epidemic = yield* startCluster
      yield* quiesce
      epidemic.bytesSent.clear()
      yield* Effect.orDie(epidemic.stores.get("n1")!.put("template", "spread", { image: "busybox" }))
      yield* quiesce
      const missing: Array<string> = []
      for (const [id, store] of epidemic.stores) {
        if ((yield* Effect.orDie(store.get("template", "spread"))) === undefined) missing.push(id)
      }
      expect(missing).toEqual([])
      const hops = Math.max(...epidemic.reachedAt.values())
      const bytes = Math.max(...epidemic.bytesSent.values())
      console.log(
        `100 nodes: every node reached within ${hops} hops (limit ${epidemic.hopLimit}), ` +
          `${epidemic.duplicates} duplicate pushes, at most ${bytes} bytes sent by one node for the write`
      )
      expect(hops).toBeLessThanOrEqual(Math.log2(nodeCount) + 3)
      expect(epidemic.duplicates).toBeLessThan(3 * nodeCount)
      expect(bytes).toBeLessThanOrEqual(config.fanout * 1024)
    }), 60_000)
})
