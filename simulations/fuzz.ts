/**
 * Many seeds of one scenario. Seeds are independent, so they are spread over worker threads
 * (one per core by default), each running whole simulations; a run is synchronous, so one
 * thread alone would leave the other cores idle. Results come back in
 * completion order; each carries its seed, so a failure replays alone.
 */
import { existsSync } from "node:fs"
import { availableParallelism } from "node:os"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { Data, Deferred, Effect } from "effect"
import type { Violation } from "./invariants.ts"
import type { LinkMode } from "./linkMode.ts"
import {
  resolveScenario,
  runSimulation,
  type SimulationOptions,
  type SimulationProgress,
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
  /** Messages the network delivered. */
  readonly delivered: number
}

export interface FuzzOptions {
  readonly scenario: string
  readonly firstSeed: number
  readonly seeds: number
  readonly nodes?: number
  readonly links?: LinkMode
  /** Threads running seeds (1: this thread alone; more: that many worker threads). Default: one per core. */
  readonly workers?: number
  /** Called after each seed, with how many are done. */
  readonly onResult?: (result: SeedResult, done: number) => void
  /**
   * Told how far a seed under way has gone, at most once per `progressEveryMs` of real time
   * (1 s when unset) for each seed, so a seed shorter than that is never reported. From
   * helper threads too: a large cluster's seed can run for minutes.
   */
  readonly onSeedProgress?: (seed: number, progress: SimulationProgress) => void
  readonly progressEveryMs?: number
}

export interface FuzzOutcome {
  readonly results: ReadonlyArray<SeedResult>
  readonly failed: ReadonlyArray<SeedResult>
  /** Virtual time simulated, summed over seeds. */
  readonly virtualMs: number
  /** Messages delivered, summed over seeds. */
  readonly delivered: number
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
  | { readonly _tag: "Progress"; readonly seed: number; readonly progress: SimulationProgress }
  | { readonly _tag: "Idle" }
  | { readonly _tag: "Failed"; readonly reason: string }

export interface WorkerSetup {
  readonly scenario: string
  readonly nodes: number | undefined
  readonly links: LinkMode | undefined
  /** Whether to send `Progress` messages, and how often: only when someone listens. */
  readonly watched: boolean
  readonly progressEveryMs: number | undefined
}

/** One seed, summarised for the fuzz report; `onProgress` hears how far it has gone. */
export const runSeed = (
  options: Omit<SimulationOptions, "seed" | "onProgress">,
  seed: number,
  onProgress?: (seed: number, progress: SimulationProgress) => void
): Effect.Effect<SeedResult, UnknownScenario | TooFewNodes> => {
  const watched = onProgress === undefined ? {} : { onProgress: (progress: SimulationProgress) => onProgress(seed, progress) }
  return Effect.map(runSimulation({ ...options, ...watched, seed }), (outcome) => ({
    seed,
    ok: outcome.ok,
    traceHash: outcome.traceHash,
    violations: outcome.violations.slice(0, keptViolations),
    virtualMs: outcome.virtualMs,
    realMs: outcome.realMs,
    delivered: outcome.counts.delivered
  }))
}

const seedList = (options: FuzzOptions) => Array.from({ length: options.seeds }, (_, i) => options.firstSeed + i)

export const simulationOptions = (options: {
  readonly scenario: string
  readonly nodes?: number | undefined
  readonly links?: LinkMode | undefined
  readonly progressEveryMs?: number | undefined
}): Omit<SimulationOptions, "seed" | "onProgress"> => ({
  scenario: options.scenario,
  ...(options.nodes === undefined ? {} : { nodes: options.nodes }),
  ...(options.links === undefined ? {} : { links: options.links }),
  ...(options.progressEveryMs === undefined ? {} : { progressEveryMs: options.progressEveryMs })
})

/** Resumes on the event loop's next turn: lets worker messages and output through. */
const nextTurn = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/** Loads the TypeScript worker through tsx, the loader the CLI itself runs under. */
// Through the package root: the same path from this file and from the CLI's bundle (dist/).
const bootstrap = new URL("../simulations/fuzz.worker.bootstrap.mjs", import.meta.url)

/**
 * The worker as `npm run build` bundles it beside the CLI's bundle, which starts in a third
 * of the time tsx takes. Found only from the bundle (dist/); from the sources, this names a
 * file in simulations/ that does not exist, and the worker loads through tsx.
 */
const bundledWorker = new URL("./knot-fuzz-worker.mjs", import.meta.url)

const workerEntry = (setup: WorkerSetup): { readonly url: URL; readonly workerData: unknown } =>
  existsSync(fileURLToPath(bundledWorker))
    ? { url: bundledWorker, workerData: { setup } }
    : { url: bootstrap, workerData: { module: new URL("../simulations/fuzz.worker.ts", import.meta.url).href, setup } }

/**
 * Seeds a helper takes at once: a few, to spare messages between threads on short seeds, but
 * never so many that a helper waits while another holds seeds it has not begun (two seeds of
 * a large cluster on two helpers run side by side, not one after the other).
 */
const batchOf = (pending: number, helpers: number) => Math.max(1, Math.min(5, Math.floor(pending / helpers)))

interface Helpers {
  /** Fails as soon as a helper thread does. */
  readonly failure: Deferred.Deferred<never, FuzzWorkerFailed>
  readonly stop: Effect.Effect<void>
}

/** Worker threads that take batches of seeds from `pending` until it is empty. */
const startHelpers = (
  options: FuzzOptions,
  count: number,
  pending: Array<number>,
  record: (result: SeedResult) => void
): Effect.Effect<Helpers> =>
  Effect.map(Deferred.make<never, FuzzWorkerFailed>(), (failure) => {
    const fail = (reason: string) => Deferred.unsafeDone(failure, Effect.fail(new FuzzWorkerFailed({ reason })))
    const setup: WorkerSetup = {
      scenario: options.scenario,
      nodes: options.nodes,
      links: options.links,
      watched: options.onSeedProgress !== undefined,
      progressEveryMs: options.progressEveryMs
    }
    const entry = workerEntry(setup)
    const threads = Array.from({ length: count }, () => {
      // V8's own young generation: a roomier one (192 MB) was ~7% slower over 400 seeds.
      const thread = new Worker(entry.url, { workerData: entry.workerData })
      thread.on("message", (message: FromWorker) => {
        switch (message._tag) {
          case "Result":
            record(message.result)
            break
          case "Progress":
            options.onSeedProgress?.(message.seed, message.progress)
            break
          case "Idle": {
            const seeds = pending.splice(0, batchOf(pending.length, count))
            thread.postMessage((seeds.length > 0 ? { _tag: "Run", seeds } : { _tag: "Stop" }) satisfies ToWorker)
            break
          }
          case "Failed":
            fail(message.reason)
        }
      })
      thread.on("error", (error) => fail(error.message))
      return thread
    })
    return {
      failure,
      stop: Effect.promise(() => Promise.all(threads.map((thread) => thread.terminate())))
    }
  })

/**
 * With one thread, this thread runs every seed, giving the event loop a turn after each so
 * that progress shows as it goes. With more, `threads` helpers share the seeds and this thread
 * only hands them out, so that a helper done with its batch gets the next one at once.
 */
const inThreads = (
  options: FuzzOptions,
  threads: number
): Effect.Effect<Array<SeedResult>, UnknownScenario | TooFewNodes | FuzzWorkerFailed> =>
  Effect.scoped(Effect.gen(function*() {
    const pending = seedList(options)
    const results: Array<SeedResult> = []
    const allIn = yield* Deferred.make<void>()
    const record = (result: SeedResult) => {
      results.push(result)
      options.onResult?.(result, results.length)
      if (results.length === options.seeds) Deferred.unsafeDone(allIn, Effect.void)
    }
    if (threads === 1) {
      for (let seed = pending.shift(); seed !== undefined; seed = pending.shift()) {
        record(yield* runSeed(simulationOptions(options), seed, options.onSeedProgress))
        yield* nextTurn
      }
      return results
    }
    const helpers = yield* Effect.acquireRelease(startHelpers(options, threads, pending, record), (helpers) => helpers.stop)
    yield* Effect.raceFirst(Deferred.await(allIn), Deferred.await(helpers.failure))
    return results
  }))

export const fuzz = (options: FuzzOptions): Effect.Effect<FuzzOutcome, UnknownScenario | TooFewNodes | FuzzWorkerFailed> =>
  Effect.gen(function*() {
    const started = performance.now()
    // A bad scenario name or size fails here, before any worker starts.
    yield* resolveScenario(options)
    const threads = Math.max(1, Math.min(options.workers ?? availableParallelism(), options.seeds))
    const results = yield* inThreads(options, threads)
    const sorted = [...results].sort((a, b) => a.seed - b.seed)
    return {
      results: sorted,
      failed: sorted.filter((result) => !result.ok),
      virtualMs: sorted.reduce((sum, result) => sum + result.virtualMs, 0),
      delivered: sorted.reduce((sum, result) => sum + result.delivered, 0),
      realMs: performance.now() - started
    }
  })
