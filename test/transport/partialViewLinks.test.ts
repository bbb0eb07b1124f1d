/**
 * Real Hyperswarm nodes on a loopback DHT, running gossip with a full mesh of at most two
 * other members, so that a dozen nodes already keep partial views: each node stays connected
 * to its view's links rather than to every member, gossip still reaches every node, and a
 * stream reaches a member outside the view over a connection dialed for it.
 */
import { expect, layer } from "@effect/vitest"
import { Context, Duration, Effect, Exit, Layer, Logger, LogLevel, Schedule, Scope, Stream, SubscriptionRef } from "effect"
import { statusOf } from "../../transport/gossip/membershipView.ts"
import { wantedLinks } from "../../transport/gossip/viewLinks.ts"
import { type GossipNode, startGossipNode } from "./gossipNodeHarness.ts"
import { newClusterKey, Testnet } from "./hyperswarmHarness.ts"

const NODES = 12
/** 2·⌈log2 n⌉: the most links a node's view holds (transport/gossip/overlay.ts). */
const MAX_LINKS = 2 * Math.ceil(Math.log2(NODES))
const gossip = {
  fullMeshUpTo: 2,
  probeIntervalMs: 500,
  probeTimeoutMs: 250,
  suspicionTimeoutMs: 3_000,
  antiEntropyIntervalMs: 500
}
const keeperTimings = { graceMs: 1_000, demandForMs: 2_000, dialWithinMs: 2_000 }
/** Generous bounds for a loaded 2-core machine; a healthy run needs a fraction of each. */
const SETTLED_WITHIN = Duration.seconds(60)
const TEST_TIMEOUT = 90_000

class Cluster extends Context.Tag("test/PartialViewCluster")<Cluster, ReadonlyArray<GossipNode>>() {
  static readonly layer = Layer.scoped(
    Cluster,
    Effect.gen(function*() {
      const clusterKey = newClusterKey()
      return yield* Effect.all(Array.from({ length: NODES }, () => startGossipNode({ clusterKey, gossip, keeperTimings })), { concurrency: "unbounded" })
    })
  ).pipe(Layer.provideMerge(Testnet.layer), Layer.provide(Logger.minimumLogLevel(LogLevel.Error)))
}

/** Retries `check` until it holds, failing with its last complaint after `within`. */
const eventually = (check: Effect.Effect<string | undefined>, within = SETTLED_WITHIN) => {
  let last: string | undefined
  return check.pipe(
    Effect.flatMap((complaint) => (complaint === undefined ? Effect.void : Effect.fail((last = complaint)))),
    Effect.retry(Schedule.spaced("250 millis")),
    Effect.timeout(within),
    Effect.catchAll(() => Effect.die(new Error(`not within ${Duration.format(within)}: ${last}`)))
  )
}

const aliveMembers = (node: GossipNode) =>
  Effect.map(SubscriptionRef.get(node.view), (snapshot) =>
    [...snapshot.members.values()].filter((member) => statusOf(member.state) === "alive").length)

const connectedPeers = (node: GossipNode) => Effect.map(node.info.links, (links) => links.map((link) => link.peer))

layer(Cluster.layer, { excludeTestServices: true, timeout: Duration.minutes(3) })("a cluster past its full mesh on Hyperswarm", (it) => {
  it.effect("sees every member alive", () =>
    Effect.gen(function*() {
      const nodes = yield* Cluster
      yield* eventually(Effect.gen(function*() {
        for (const node of nodes) {
          const alive = yield* aliveMembers(node)
          if (alive !== NODES - 1) return `${node.id} sees ${alive} of ${NODES - 1} other members alive`
        }
        return undefined
      }))
    }), TEST_TIMEOUT)

  it.effect("keeps each node connected to its view's links rather than to every member", () =>
    Effect.gen(function*() {
      const nodes = yield* Cluster
      yield* eventually(Effect.gen(function*() {
        for (const node of nodes) {
          const wanted = wantedLinks(yield* SubscriptionRef.get(node.view))
          if (wanted === undefined) return `${node.id} still keeps a full mesh`
          const connected = yield* connectedPeers(node)
          const missing = wanted.filter((peer) => !connected.includes(peer))
          if (missing.length > 0) return `${node.id} has no connection to its links ${missing.join(", ")}`
          if (connected.length > MAX_LINKS) return `${node.id} holds ${connected.length} connections, more than ${MAX_LINKS}`
        }
        return undefined
      }))
      const counts = yield* Effect.forEach(nodes, (node) => Effect.map(connectedPeers(node), (peers) => peers.length))
      expect(Math.max(...counts)).toBeLessThan(NODES - 1)
    }), TEST_TIMEOUT)

  it.effect("spreads every node's record to every node over the partial views", () =>
    Effect.gen(function*() {
      const nodes = yield* Cluster
      yield* eventually(Effect.gen(function*() {
        for (const node of nodes) {
          const records = yield* Effect.orDie(node.store.list("node"))
          if (records.length !== NODES) return `${node.id} holds ${records.length} of ${NODES} node records`
        }
        return undefined
      }))
    }), TEST_TIMEOUT)

  it.effect("opens a stream to a member outside the view over a connection dialed for it, and closes that connection once unused", () =>
    Effect.gen(function*() {
      const nodes = yield* Cluster
      const from = nodes[0]!
      const connected = yield* connectedPeers(from)
      const target = nodes.find((node) => node.id !== from.id && !connected.includes(node.id))
      if (target === undefined) return expect.fail(`${from.id} is connected to every member`)
      expect(yield* from.streams.reaches(target.id)).toBe(true)
      yield* Effect.scoped(Effect.gen(function*() {
        const channel = yield* from.streams.open(target.id, "hello from outside the view")
        const accepted = yield* Stream.runHead(target.streams.accepted).pipe(Effect.flatMap(Effect.orDie))
        expect(accepted.header).toBe("hello from outside the view")
        yield* channel.sendData(new TextEncoder().encode("ping"))
        const first = yield* accepted.channel.next
        expect(first?._tag === "Data" ? new TextDecoder().decode(first.bytes) : first?._tag).toBe("ping")
        yield* Scope.close(accepted.scope, Exit.void)
      }))
      yield* eventually(Effect.map(connectedPeers(from), (peers) =>
        peers.includes(target.id) ? `${from.id} still holds the connection it dialed to ${target.id}` : undefined))
    }), TEST_TIMEOUT)
})
