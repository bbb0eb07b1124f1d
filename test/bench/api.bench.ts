/**
 * The API's cost of listing 1 000 spaces: GET /api/spaces as an admin (every space), over
 * HTTP on 127.0.0.1, against a standalone node's services on a MemoryStore, beside a bare
 * `node:http` server answering the same JSON bytes (the floor any API on this machine has),
 * and GET of one space. vitest prints requests/s (hz) and p99 latency per request; the lines
 * printed before it, requests/s, p50 and p99 with 16 requests in flight at once for both
 * servers, their ratio, and the CPU time each request costs.
 */
import { createServer } from "node:http"
import { Effect, Exit, Layer, Scope } from "effect"
import { afterAll, bench, describe } from "vitest"
import { makeApiServer, serverUrl } from "../../effects/http/apiServer.ts"
import { bootstrapAdmin } from "../../effects/http/auth/bootstrapAdmin.ts"
import type { Space } from "../../storage/kinds/space.ts"
import type { SpaceStatus } from "../../storage/kinds/spaceStatus.ts"
import { Store } from "../../storage/store.ts"
import { nodeServices, testNodeId, testZone } from "../http/apiHarness.ts"
import { scaled } from "./benchScale.ts"

const spaceCount = scaled(1_000, 10)
const inFlight = 16
const burstRequests = scaled(200, 16)

const scope = Effect.runSync(Scope.make())
afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

const { url, token } = await Effect.runPromise(
  Effect.gen(function*() {
    const context = yield* Layer.buildWithScope(
      makeApiServer({ listen: { host: "127.0.0.1", port: 0 } }).pipe(Layer.provideMerge(nodeServices)),
      scope
    )
    const store = yield* Effect.provide(Store, context)
    const outcome = yield* Effect.provide(bootstrapAdmin(), context)
    if (outcome._tag !== "Created") return yield* Effect.dieMessage("a fresh store was not bootstrapped")
    const space = (index: number): Space => ({
      name: `space-${index}`,
      owner: `user-${index % 50}`,
      template: "web",
      node: testNodeId,
      zone: testZone,
      desired: "running",
      generation: 1
    })
    const status: SpaceStatus = { observed: "running", containerId: "c0ffee" }
    yield* store.batch(
      Array.from({ length: spaceCount }, (_, index) => [
        { _tag: "Put" as const, kind: "space", id: `space-${index}`, value: space(index) },
        { _tag: "Put" as const, kind: "space-status", id: `space-${index}`, value: status }
      ]).flat()
    )
    return { url: yield* Effect.provide(serverUrl, context), token: outcome.token.secret }
  })
)

const answer = await (await fetch(`${url}/api/spaces`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer()
const bare = createServer((_, response) => {
  response.writeHead(200, { "content-type": "application/json", "content-length": answer.byteLength })
  response.end(Buffer.from(answer))
})
await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve))
const bareUrl = `http://127.0.0.1:${(bare.address() as { readonly port: number }).port}`
afterAll(() => new Promise<void>((resolve) => bare.close(() => resolve())))

const listBare = async () => {
  const response = await fetch(`${bareUrl}/api/spaces`)
  const spaces = (await response.json()) as ReadonlyArray<unknown>
  if (spaces.length !== spaceCount) throw new Error(`the bare server answered ${spaces.length} spaces`)
}

const getOne = async () => {
  const response = await fetch(`${url}/api/spaces/user-7/space-7`, { headers: { authorization: `Bearer ${token}` } })
  if (response.status !== 200) throw new Error(`GET one space answered ${response.status}`)
  await response.arrayBuffer()
}

const listSpaces = async () => {
  const response = await fetch(`${url}/api/spaces`, { headers: { authorization: `Bearer ${token}` } })
  const spaces = (await response.json()) as ReadonlyArray<unknown>
  if (response.status !== 200 || spaces.length !== spaceCount) {
    throw new Error(`GET /api/spaces answered ${response.status} with ${spaces.length} spaces`)
  }
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0

const rates = new Map<string, number>()

/** `burstRequests` requests one after another: requests/s, p50 and p99 without contention. */
const sequentialOf = (label: string, request: () => Promise<void>) => async () => {
  const latencies: Array<number> = []
  const started = performance.now()
  for (let i = 0; i < burstRequests; i++) {
    const sent = performance.now()
    await request()
    latencies.push(performance.now() - sent)
  }
  const seconds = (performance.now() - started) / 1000
  const sorted = latencies.sort((a, b) => a - b)
  console.log(
    `${label}, one at a time: ${(burstRequests / seconds).toFixed(0)} requests/s, ` +
      `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`
  )
}

/** `burstRequests` requests, `inFlight` at a time: throughput and tail latency under load. */
const burstOf = (label: string, request: () => Promise<void>) => async () => {
  const latencies: Array<number> = []
  let next = 0
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const worker = async () => {
    while (next < burstRequests) {
      next++
      const sent = performance.now()
      await request()
      latencies.push(performance.now() - sent)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const sorted = latencies.sort((a, b) => a - b)
  rates.set(label, burstRequests / seconds)
  const knot = rates.get("knot")
  const floor = rates.get("bare")
  console.log(
    `${label}: GET /api/spaces, ${spaceCount} spaces, ${inFlight} in flight: ${(burstRequests / seconds).toFixed(0)} requests/s, ` +
      `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms; ` +
      // Wall-clock figures follow the machine's load; CPU time per request does not.
      `CPU per request (server and client, one process): ${((cpu.user + cpu.system) / 1000 / burstRequests).toFixed(1)} ms` +
      (knot !== undefined && floor !== undefined ? `; knot answers at ${((100 * knot) / floor).toFixed(0)} % of the bare server's rate` : "")
  )
}

describe(`list ${spaceCount} spaces over HTTP`, () => {
  bench("GET /api/spaces, one request at a time", listSpaces, scaled({ time: 2_000, warmupIterations: 20 }, { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 }))
  bench("the same JSON bytes from a bare node:http server, one at a time", listBare, scaled({ time: 2_000, warmupIterations: 20 }, { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 }))
  bench("GET /api/spaces/:owner/:name (one space), one at a time", getOne, scaled({ time: 2_000, warmupIterations: 20 }, { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 }))
  bench(`GET /api/spaces, ${inFlight} in flight (${burstRequests} requests per iteration)`, burstOf("knot", listSpaces), {
    iterations: 1,
    warmupIterations: 0,
    time: 0
  })
  bench(`bare node:http, ${inFlight} in flight (${burstRequests} requests per iteration)`, burstOf("bare", listBare), {
    iterations: 1,
    warmupIterations: 0,
    time: 0
  })
  for (const [label, request] of [["knot GET /api/spaces", listSpaces], ["bare node:http", listBare], ["knot GET one space", getOne]] as const) {
    bench(`${label}, ${burstRequests} requests one at a time`, sequentialOf(label, request), { iterations: 1, warmupIterations: 0, time: 0 })
  }
})
