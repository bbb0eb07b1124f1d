/**
 * The actor runtime's costs: tell beside a raw Effect Queue, ask round trips, and spawning
 * 100 000 space-sized actors. Figures print after the run; nothing here passes or fails.
 */
import { Deferred, Effect, Fiber, Queue } from "effect"
import { afterAll, bench, describe } from "vitest"
import { type Behaviour, makeActorSystem, type Reply } from "../../actors/runtime/index.ts"

const N = 100_000
const timings: Record<string, Array<number>> = {}
const timed = async (label: string, run: () => Promise<unknown>) => {
  const started = performance.now()
  await run()
  ;(timings[label] ??= []).push(performance.now() - started)
}
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

type Msg = { readonly _tag: "Add" } | { readonly _tag: "Done"; readonly reply: Reply<number> }
const counter: Behaviour<Msg, number> = {
  init: () => Effect.succeed(0),
  receive: (n, msg) => (msg._tag === "Add" ? Effect.succeed(n + 1) : Effect.as(msg.reply.succeed(n), n))
}

const rawQueue = Effect.gen(function* () {
  const queue = yield* Queue.unbounded<number>()
  const consumer = yield* Effect.fork(
    Effect.iterate(0, { while: (n) => n < N, body: (n) => Effect.as(Queue.take(queue), n + 1) })
  )
  for (let i = 0; i < N; i++) yield* Queue.offer(queue, i)
  yield* Fiber.join(consumer)
})

const system = Effect.runSync(makeActorSystem)
const actor = Effect.runSync(system.spawn(counter, { name: "bench" }))

const actorTell = Effect.gen(function* () {
  for (let i = 0; i < N; i++) yield* actor.tell({ _tag: "Add" })
  yield* actor.ask<number>((reply) => ({ _tag: "Done", reply }), "1 minute")
})

const asks = 10_000
const askRoundTrips = Effect.gen(function* () {
  for (let i = 0; i < asks; i++) yield* actor.ask<number>((reply) => ({ _tag: "Done", reply }), "1 minute")
})

const space: Behaviour<Msg, number> = counter
const spawnMany = Effect.gen(function* () {
  const sys = yield* makeActorSystem
  const node = yield* sys.spawn(counter, { name: "node" })
  const gc = globalThis.gc
  gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const started = performance.now()
  for (let i = 0; i < N; i++) yield* sys.spawn(space, { name: `space:${i}`, parent: node })
  const last = yield* sys.lookup<Msg>(`node/space:${N - 1}`).pipe(Effect.flatten)
  yield* last.ask<number>((reply) => ({ _tag: "Done", reply }), "1 minute")
  const elapsed = performance.now() - started
  gc?.()
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024
  ;(timings["spawn 100k"] ??= []).push(elapsed)
  ;(timings["spawn heap MB"] ??= []).push(heapMb)
  const done = yield* Deferred.make<void>()
  yield* sys.shutdown.pipe(Effect.ensuring(Deferred.succeed(done, undefined)))
})

describe("actor messaging", () => {
  bench("raw Queue offer/take x100k", () => timed("raw", () => Effect.runPromise(rawQueue)), { iterations: 10 })
  bench("actor tell x100k", () => timed("tell", () => Effect.runPromise(actorTell)), { iterations: 10 })
  bench("actor ask x10k", () => timed("ask", () => Effect.runPromise(askRoundTrips)), { iterations: 5 })
})

describe("spawning", () => {
  bench("spawn 100k space actors", () => Effect.runPromise(spawnMany), { iterations: 3, warmupIterations: 0 })
})

afterAll(() => {
  const raw = N / (median(timings.raw ?? []) / 1000)
  const tell = N / (median(timings.tell ?? []) / 1000)
  const ask = asks / (median(timings.ask ?? []) / 1000)
  const lines = [
    `raw Queue offer/take: ${Math.round(raw).toLocaleString("en")} msg/s`,
    `actor tell:           ${Math.round(tell).toLocaleString("en")} msg/s (${((tell / raw) * 100).toFixed(0)} % of raw Queue)`,
    `actor ask:            ${Math.round(ask).toLocaleString("en")} round trips/s`,
    `spawn 100k actors:    ${median(timings["spawn 100k"] ?? []).toFixed(0)} ms, heap +${median(timings["spawn heap MB"] ?? []).toFixed(0)} MB`
  ]
  if (timings.raw) console.log(`\n[runtime] ${lines.join("\n[runtime] ")}\n`)
})
