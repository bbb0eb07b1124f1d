/**
 * Many seeds of one scenario. Seeds are independent, so they are spread over worker threads
 * (one per core by default), each running whole simulations in its own event loop; a run is
 * synchronous, so in-process fuzzing would leave the other cores idle. Results come back in
 * completion order; each carries its seed, so a failure replays alone.
 */
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import { Data, Effect } from "effect"
import type { Violation } from "./invariants.ts"
import {
  resolveScenario,
  runSimulation,
  type SimulationOptions,
  type TooFewNodes,
  type UnknownScenario
} from "./runSimulation.ts"

export interface SeedResult {
  readonly seed: number
  readonly ok: boolean
  readonly traceHash: string
  /** At most the first few, to keep worker messages small. */
  readonly violations: ReadonlyArray<Violation>
  readonly virtualMs: number
  readonly realMs: number
}

export interface FuzzOptions {
  readonly scenario: string
  readonly firstSeed: number
  readonly seeds: number
  readonly nodes?: number
  /** Worker threads; 1 runs in this thread. Default: one per core. */
  readonly workers?: number
  /** Called after each seed, with how many are done. */
  readonly onResult?: (result: SeedResult, done: number) => void
}

export interface FuzzOutcome {
  readonly results: ReadonlyArray<SeedResult>
  readonly failed: ReadonlyArray<SeedResult>
  /** Virtual time simulated, summed over seeds. */
  readonly virtualMs: number
  /** Wall time of the whole fuzz. */
  readonly realMs: number
}

export class FuzzWorkerFailed extends Data.TaggedError("FuzzWorkerFailed")<{ readonly reason: string }> {
  override get message() {
    return `a simulation worker thread failed: ${this.reason}`
  }
}

const keptViolations = 3

/** What a worker is asked to do, and what it answers. */
export type ToWorker = { readonly _tag: "Run"; readonly seeds: ReadonlyArray<number> } | { readonly _tag: "Stop" }
export type FromWorker =
  | { readonly _tag: "Result"; readonly result: SeedResult }
  | { readonly _tag: "Idle" }
  | { readonly _tag: "Failed"; readonly reason: string }

export interface WorkerSetup {
  readonly scenario: string
  readonly nodes: number | undefined
}

/** One seed, summarised for the fuzz report. */
export const runSeed = (
  options: Omit<SimulationOptions, "seed">,
  seed: number
): Effect.Effect<SeedResult, UnknownScenario | TooFewNodes> =>
  Effect.map(runSimulation({ ...options, seed }), (outcome) => ({
    seed,
    ok: outcome.ok,
    traceHash: outcome.traceHash,
    violations: outcome.violations.slice(0, keptViolations),
    virtualMs: outcome.virtualMs,
    realMs: outcome.realMs
  }))

const seedList = (options: FuzzOptions) => Array.from({ length: options.seeds }, (_, i) => options.firstSeed + i)

const simulationOptions = (options: FuzzOptions): Omit<SimulationOptions, "seed"> => ({
  scenario: options.scenario,
  ...(options.nodes === undefined ? {} : { nodes: options.nodes })
})

const inThisThread = (options: FuzzOptions): Effect.Effect<Array<SeedResult>, UnknownScenario | TooFewNodes> =>
  Effect.gen(function*() {
    const results: Array<SeedResult> = []
    for (const seed of seedList(options)) {
      const result = yield* runSeed(simulationOptions(options), seed)
      results.push(result)
      options.onResult?.(result, results.length)
      // Lets the event loop breathe (progress output, signals) between synchronous runs.
      yield* Effect.yieldNow()
    }
    return results
  })

/** Loads the TypeScript worker through tsx, the loader the CLI itself runs under. */
const bootstrap = `
const { workerData } = require("node:worker_threads")
import("tsx/esm/api").then((tsx) => { tsx.register(); return import(workerData.module) })
`

const batchSize = 5

const inWorkers = (options: FuzzOptions, workers: number): Effect.Effect<Array<SeedResult>, FuzzWorkerFailed> =>
  Effect.async<Array<SeedResult>, FuzzWorkerFailed>((resume) => {
    const pending = seedList(options)
    const results: Array<SeedResult> = []
    const threads: Array<Worker> = []
    let finished = false
    const finish = (outcome: Effect.Effect<Array<SeedResult>, FuzzWorkerFailed>) => {
      if (finished) return
      finished = true
      for (const thread of threads) void thread.terminate()
      resume(outcome)
    }
    const setup: WorkerSetup = { scenario: options.scenario, nodes: options.nodes }
    for (let i = 0; i < workers; i++) {
      const thread = new Worker(bootstrap, {
        eval: true,
        workerData: { module: new URL("./fuzz.worker.ts", import.meta.url).href, setup }
      })
      threads.push(thread)
      const next = () => {
        const seeds = pending.splice(0, batchSize)
        thread.postMessage((seeds.length > 0 ? { _tag: "Run", seeds } : { _tag: "Stop" }) satisfies ToWorker)
      }
      thread.on("message", (message: FromWorker) => {
        switch (message._tag) {
          case "Result":
            results.push(message.result)
            options.onResult?.(message.result, results.length)
            if (results.length === options.seeds) finish(Effect.succeed(results))
            break
          case "Idle":
            next()
            break
          case "Failed":
            finish(Effect.fail(new FuzzWorkerFailed({ reason: message.reason })))
        }
      })
      thread.on("error", (error) => finish(Effect.fail(new FuzzWorkerFailed({ reason: error.message }))))
    }
    return Effect.sync(() => {
      finished = true
      for (const thread of threads) void thread.terminate()
    })
  })

export const fuzz = (options: FuzzOptions): Effect.Effect<FuzzOutcome, UnknownScenario | TooFewNodes | FuzzWorkerFailed> =>
  Effect.gen(function*() {
    const started = performance.now()
    // A bad scenario name or size fails here, before any worker starts.
    yield* resolveScenario(options)
    const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), options.seeds))
    const results = yield* (workers === 1 ? inThisThread(options) : inWorkers(options, workers))
    const sorted = [...results].sort((a, b) => a.seed - b.seed)
    return {
      results: sorted,
      failed: sorted.filter((result) => !result.ok),
      virtualMs: sorted.reduce((sum, result) => sum + result.virtualMs, 0),
      realMs: performance.now() - started
    }
  })
