/**
 * A cluster of three `knot server` processes on a loopback DHT (test/support/clusterHarness.ts):
 * how long they take to mesh once all three are up, how long a template written on node 1
 * takes to be readable on all three, and what gossip costs each node on the wire when idle.
 * Numbers are printed; none is asserted.
 */
import { Clock, Duration, Effect, Exit, Schedule, Scope } from "effect"
import { afterAll, beforeAll, bench, describe } from "vitest"
import { eventually, expectThat, type KnotNode, newClusterKey, startNodes, startTestnet } from "../support/clusterHarness.ts"
import { scaled } from "./benchScale.ts"

const IDLE_WINDOW = Duration.seconds(scaled(10, 1))
/** Lets the pushes and anti-entropy rounds that follow the last write finish before measuring idle. */
const SETTLE = Duration.seconds(scaled(3, 0))

let scope: Scope.CloseableScope
let nodes: ReadonlyArray<KnotNode> = []
const figures: Array<string> = []
const visibleAfter: Array<number> = []

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0

/** Succeeds once `node` lists every other node as alive. */
const seesTheOthersAlive = (node: KnotNode) =>
  Effect.flatMap(node.client.cluster.nodes(), ({ members }) =>
    expectThat(
      nodes.every((other) => other === node || members.some((member) => member.id === other.id() && member.state === "alive")),
      `${node.name} does not see all the others alive yet`
    ))

const measureMesh = Effect.gen(function*() {
  const readyAt = nodes.map((node) => node.readyAt())
  const lastReady = Math.max(...readyAt)
  const meshedAt = yield* Effect.forEach(
    nodes,
    (node) =>
      eventually(`${node.name} to see the others alive`, seesTheOthersAlive(node), {
        within: "30 seconds",
        nodes,
        every: "5 millis"
      }).pipe(Effect.zipRight(Clock.currentTimeMillis)),
    { concurrency: "unbounded" }
  )
  figures.push(
    `mesh of 3 processes: ${Math.max(...meshedAt) - lastReady} ms from the last one ready to every node seeing the other two alive ` +
      `(the three became ready over ${lastReady - Math.min(...readyAt)} ms; per node after the last ready: ` +
      `${meshedAt.map((at, i) => `${nodes[i]!.name} ${Math.max(0, at - lastReady)} ms`).join(", ")})`
  )
})

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

beforeAll(async () => {
  scope = await run(Scope.make())
  await run(
    Effect.gen(function*() {
      const bootstrap = yield* startTestnet
      const clusterKey = newClusterKey()
      nodes = yield* startNodes(["node1", "node2", "node3"].map((name) => ({ name, clusterKey, bootstrap })))
    }).pipe(Scope.extend(scope))
  )
  await run(measureMesh)
}, 180_000)

const measureIdleTraffic = Effect.gen(function*() {
  yield* Effect.sleep(SETTLE)
  const before = yield* Effect.forEach(nodes, (node) => node.client.health.health())
  yield* Effect.sleep(IDLE_WINDOW)
  const after = yield* Effect.forEach(nodes, (node) => node.client.health.health())
  const seconds = Duration.toSeconds(IDLE_WINDOW)
  const rate = (i: number, field: "frameBytesSent" | "frameBytesReceived" | "wireBytesSent" | "wireBytesReceived") =>
    (((after[i]?.traffic?.[field] ?? 0) - (before[i]?.traffic?.[field] ?? 0)) / seconds).toFixed(0)
  figures.push(
    `idle, over ${seconds} s: ` +
      nodes.map((node, i) =>
        `${node.name} gossip frames ${rate(i, "frameBytesSent")} B/s out, ${rate(i, "frameBytesReceived")} B/s in; ` +
        `on the wire ${rate(i, "wireBytesSent")} B/s out (links: frames, Noise, UDX, keepalives), ` +
        `${rate(i, "wireBytesReceived")} B/s in (links and DHT)`
      ).join(" | ")
  )
})

afterAll(async () => {
  try {
    if (nodes.length > 0) {
      await run(measureIdleTraffic)
      const sorted = [...visibleAfter].sort((a, b) => a - b)
      figures.push(
        `write on node 1 visible on all three (${sorted.length} writes): median ${percentile(sorted, 50).toFixed(1)} ms, ` +
          `p90 ${percentile(sorted, 90).toFixed(1)} ms, max ${percentile(sorted, 100).toFixed(1)} ms`
      )
      console.log(["", "cluster figures:", ...figures].join("\n"))
    }
  } finally {
    await run(Scope.close(scope, Exit.void))
  }
}, 120_000)

let written = 0

/** Until `node` serves the template, asking every 5 ms. */
const readable = (node: KnotNode, name: string) =>
  node.client.templates.get({ path: { name } }).pipe(
    Effect.retry(Schedule.spaced("5 millis")),
    Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error(`${node.name} never served ${name}`) })
  )

const writeAndWaitForAll = async () => {
  const name = `bench-${++written}`
  const [node1, node2, node3] = nodes
  const started = performance.now()
  await run(
    Effect.zipRight(
      node1!.client.templates.put({ payload: { name, image: "busybox:latest", env: {}, volumes: [], zones: [] } }),
      Effect.all([readable(node2!, name), readable(node3!, name)], { concurrency: "unbounded" })
    )
  )
  visibleAfter.push(performance.now() - started)
}

describe("a cluster of three knot processes on loopback", () => {
  bench("a template written on node 1 becomes readable on nodes 2 and 3", writeAndWaitForAll, {
    iterations: scaled(40, 1),
    time: 0,
    warmupIterations: 0,
    warmupTime: 0
  })
})
