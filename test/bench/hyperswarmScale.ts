/**
 * Real Hyperswarm past its peer slots: N gossip nodes (test/transport/gossipNodeHarness.ts) in
 * one process on a loopback DHT, with knot's default gossip (a full mesh up to 17 members,
 * partial views beyond). Prints how long until every node sees every other alive and holds
 * every node's record, the connections each node holds once settled (beside N − 1, a full
 * mesh, and 2·⌈log2 N⌉, the view's bound), and peak memory. Prints figures, asserts none.
 *
 *   node --import tsx test/bench/hyperswarmScale.ts [N]     (default 80: past Hyperswarm's 64)
 */
import { Duration, Effect, Logger, LogLevel, SubscriptionRef } from "effect"
import { statusOf } from "../../transport/gossip/membershipView.ts"
import { type GossipNode, startGossipNode } from "../transport/gossipNodeHarness.ts"
import { newClusterKey, Testnet } from "../transport/hyperswarmHarness.ts"
import { scaled } from "./benchScale.ts"

const nodes = Number(process.argv[2] ?? scaled(80, 4))
const WITHIN = Duration.minutes(10)
/** Connections are sampled this long after the cluster converged: past the keeper's 15 s grace. */
const SETTLE = Duration.seconds(scaled(25, 1))

let peakRss = 0
const sampleMemory = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}

const converged = (all: ReadonlyArray<GossipNode>) =>
  Effect.gen(function*() {
    for (const node of all) {
      const snapshot = yield* SubscriptionRef.get(node.view)
      let alive = 0
      for (const member of snapshot.members.values()) if (statusOf(member.state) === "alive") alive++
      if (alive !== all.length - 1) return false
      const records = yield* Effect.orDie(node.store.list("node"))
      if (records.length !== all.length) return false
    }
    return true
  })

const waitUntil = (check: Effect.Effect<boolean>) =>
  Effect.gen(function*() {
    const deadline = Date.now() + Duration.toMillis(WITHIN)
    while (!(yield* check)) {
      sampleMemory()
      if (Date.now() > deadline) return yield* Effect.die(new Error(`not converged within ${Duration.format(WITHIN)}`))
      yield* Effect.sleep("500 millis")
    }
  })

const connectionCounts = (all: ReadonlyArray<GossipNode>) =>
  Effect.forEach(all, (node) => Effect.map(node.info.links, (links) => links.length))

const program = Effect.gen(function*() {
  const clusterKey = newClusterKey()
  const started = Date.now()
  const all = yield* Effect.all(Array.from({ length: nodes }, () => startGossipNode({ clusterKey })), { concurrency: 8 })
  const up = Date.now()
  yield* waitUntil(converged(all))
  const convergedAt = Date.now()
  const early = yield* connectionCounts(all)
  yield* Effect.sleep(SETTLE)
  sampleMemory()
  const settled = yield* connectionCounts(all)
  const stats = (counts: ReadonlyArray<number>) =>
    `max ${Math.max(...counts)}, mean ${(counts.reduce((a, b) => a + b, 0) / counts.length).toFixed(1)}`
  console.log(`Hyperswarm gossip nodes in one process, N = ${nodes} (a full mesh would be ${nodes - 1} connections each; the view's bound is ${2 * Math.ceil(Math.log2(nodes))})`)
  console.log(`  started in ${((up - started) / 1000).toFixed(1)} s; every node saw every other alive and held every record ${((convergedAt - up) / 1000).toFixed(1)} s later`)
  console.log(`  connections per node when converged: ${stats(early)}`)
  console.log(`  connections per node ${Duration.format(SETTLE)} later: ${stats(settled)}`)
  console.log(`  still converged then: ${yield* converged(all)}; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`)
})

Effect.runPromise(
  Effect.scoped(program).pipe(Effect.provide(Testnet.layer), Effect.provide(Logger.minimumLogLevel(LogLevel.Error)))
).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
