/**
 * The actor runtime's messaging costs: tell beside a raw Effect Queue, and ask round trips.
 * Spawning 100 000 actors is measured by spawnActors.ts, in a process of its own. Figures
 * print after the run; nothing here passes or fails.
 */
import { Effect, Fiber, Queue } from "effect"
import { afterAll, bench, describe } from "vitest"
import { type Behaviour, makeActorSystem, type Reply } from "../../actors/runtime/index.ts"
import { scaled } from "./benchScale.ts"

const N = scaled(100_000, 1_000)
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

const asks = scaled(10_000, 100)
const askRoundTrips = Effect.gen(function* () {
  for (let i = 0; i < asks; i++) yield* actor.ask<number>((reply) => ({ _tag: "Done", reply }), "1 minute")
})

describe("actor messaging", () => {
  bench("raw Queue offer/take x100k", () => timed("raw", () => Effect.runPromise(rawQueue)), { iterations: scaled(10, 1) })
  bench("actor tell x100k", () => timed("tell", () => Effect.runPromise(actorTell)), { iterations: scaled(10, 1) })
  bench("actor ask x10k", () => timed("ask", () => Effect.runPromise(askRoundTrips)), { iterations: scaled(5, 1) })
})

afterAll(() => {
  const raw = N / (median(timings.raw ?? []) / 1000)
  const tell = N / (median(timings.tell ?? []) / 1000)
  const ask = asks / (median(timings.ask ?? []) / 1000)
  const lines = [
    `raw Queue offer/take: ${Math.round(raw).toLocaleString("en")} msg/s`,
    `actor tell:           ${Math.round(tell).toLocaleString("en")} msg/s (${((tell / raw) * 100).toFixed(0)} % of raw Queue)`,
    `actor ask:            ${Math.round(ask).toLocaleString("en")} round trips/s`
  ]
  if (timings.raw) console.log(`\n[runtime] ${lines.join("\n[runtime] ")}\n`)
})
