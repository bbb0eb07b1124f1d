/**
 * How fast a write reaches every node of a cluster, and what gossip costs at idle: `knot
 * server` processes on a loopback DHT (test/support/clusterHarness.ts). Clusters of 3 and 10:
 * gossip bytes sent per node per second at idle; on the 10, a template written on node 1 is
 * timed until the last node's change feed pushes it (the feed, not a poll, so no poll interval
 * is in the figure). Run by `npm run bench`; prints figures, asserts none.
 */
import { Duration, Effect } from "effect"
import { adminToken, eventually, expectThat, type KnotNode, newClusterKey, startNodes, startTestnet } from "../support/clusterHarness.ts"
import { openFeed } from "../support/feedReader.ts"
import { scaled } from "./benchScale.ts"

const WRITES = scaled(60, 2)
const IDLE_WINDOW = Duration.seconds(scaled(10, 1))
const SETTLE = Duration.seconds(scaled(5, 0))

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0

const meshed = (nodes: ReadonlyArray<KnotNode>) =>
  Effect.forEach(nodes, (node) =>
    eventually(
      `${node.name} to see every other node alive`,
      Effect.flatMap(node.client.cluster.nodes(), ({ members }) =>
        expectThat(
          nodes.every((other) => members.some((member) => member.id === other.id() && member.state === "alive")),
          `${node.name} does not see all the others alive yet`
        )),
      { within: "120 seconds", nodes, every: "200 millis" }
    ), { discard: true })

const idleGossip = (nodes: ReadonlyArray<KnotNode>) =>
  Effect.gen(function*() {
    yield* Effect.sleep(SETTLE)
    const before = yield* Effect.forEach(nodes, (node) => node.client.health.health())
    const started = performance.now()
    yield* Effect.sleep(IDLE_WINDOW)
    const after = yield* Effect.forEach(nodes, (node) => node.client.health.health())
    const seconds = (performance.now() - started) / 1000
    const rates = nodes.map((_, i) =>
      ((after[i]?.traffic?.frameBytesSent ?? 0) - (before[i]?.traffic?.frameBytesSent ?? 0)) / seconds
    )
    const mean = rates.reduce((sum, rate) => sum + rate, 0) / rates.length
    console.log(
      `${nodes.length} nodes idle: gossip frames sent ${mean.toFixed(0)} B/s per node on average ` +
        `(min ${Math.min(...rates).toFixed(0)}, max ${Math.max(...rates).toFixed(0)}, over ${seconds.toFixed(0)} s)`
    )
  })

const cluster = (size: number) =>
  Effect.gen(function*() {
    const bootstrap = yield* startTestnet
    const clusterKey = newClusterKey()
    const nodes = yield* startNodes(
      Array.from({ length: size }, (_, i) => ({ name: `node${i + 1}`, clusterKey, bootstrap }))
    )
    yield* meshed(nodes)
    return nodes
  })

const writeVisibility = (nodes: ReadonlyArray<KnotNode>) =>
  Effect.gen(function*() {
    const first = nodes[0]!
    const last = nodes[nodes.length - 1]!
    const feed = yield* openFeed(last.url, adminToken)
    yield* feed.until((message) => message.event === "synced", "10 seconds")
    const seen: Array<number> = []
    for (let n = 1; n <= WRITES; n++) {
      const name = `visible-${n}`
      const started = performance.now()
      yield* first.client.templates.put({ payload: { name, image: "busybox:latest", env: {}, volumes: [], zones: [] } })
      yield* feed.until((message) => message.event === "template" && message.value.template.name === name, "10 seconds")
      seen.push(performance.now() - started)
      yield* Effect.sleep("50 millis")
    }
    const sorted = [...seen].sort((a, b) => a - b)
    console.log(
      `${nodes.length} nodes: a template written on ${first.name} reached ${last.name}'s change feed in ` +
        `median ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms ` +
        `(min ${sorted[0]!.toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}; ${WRITES} writes, the API round trip on node 1 included)`
    )
  })

await Effect.runPromise(Effect.scoped(Effect.flatMap(cluster(3), idleGossip)))
await Effect.runPromise(Effect.scoped(Effect.flatMap(cluster(scaled(10, 3)), (nodes) =>
  Effect.zipRight(writeVisibility(nodes), idleGossip(nodes)))))
