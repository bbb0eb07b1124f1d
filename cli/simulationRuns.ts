/**
 * What each `knot sim` command does once sim.command.ts has parsed its command line. Loaded
 * only when a sim command runs: the simulator is a whole cluster in one process, and no other
 * command needs any of it.
 */
import { FileSystem } from "@effect/platform"
import { Console, Data, Effect, Option } from "effect"
import { fuzz, type SeedResult } from "../simulations/fuzz.ts"
import type { Violation } from "../simulations/invariants.ts"
import type { LinkMode } from "../simulations/linkMode.ts"
import {
  replayCommand,
  runFlags,
  runSimulation,
  type SimulationOptions,
  type SimulationOutcome,
  type SimulationProgress
} from "../simulations/runSimulation.ts"
import { scenarios } from "../simulations/scenarios.ts"
import { renderTraceFile, tracedRunOfFile, traceHashOfFile } from "../simulations/trace.ts"
import { withDefaultSignals } from "./defaultSignals.ts"

export class SimulationFailed extends Data.TaggedError("SimulationFailed")<{
  readonly scenario: string
  readonly failed: number
  readonly of: number
}> {
  override get message() {
    return this.of === 1
      ? `the simulation of ${this.scenario} broke an invariant (see above)`
      : `${this.failed} of ${this.of} seeds of ${this.scenario} broke an invariant (see above)`
  }
}

export class TraceMismatch extends Data.TaggedError("TraceMismatch")<{
  readonly file: string
  readonly recorded: string
  readonly replayed: string
}> {
  override get message() {
    return `the replay took another path than ${this.file} (recorded trace=${this.recorded}, replayed trace=${this.replayed}): the code changed, or something nondeterministic leaked into the run`
  }
}

export class TraceFileUnusable extends Data.TaggedError("TraceFileUnusable")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `cannot use trace file ${this.file}: ${this.reason}`
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** Two significant digits below 10×: a large cluster runs far slower than real time, which a whole number shows as 0×. */
const ratio = (virtualMs: number, realMs: number) => {
  const times = virtualMs / Math.max(realMs, 0.001)
  return `${times < 10 ? Number(times.toPrecision(2)) : Math.round(times)}x`
}

/** Messages delivered per second of real time: the simulator's own speed, whatever the scenario's pace. */
const perSecond = (count: number, realMs: number) => String(Math.round((count * 1000) / Math.max(realMs, 0.001)))

const describeViolation = (violation: Violation) =>
  `  at ${seconds(violation.at)} ${violation.invariant}: ${violation.detail}`

const summary = (outcome: SimulationOutcome) => {
  const { counts } = outcome
  return [
    `${outcome.scenario} seed=${outcome.seed} nodes=${outcome.nodes}${outcome.links === "view" ? " links=view" : ""}`,
    outcome.ok ? "ok" : `FAILED (${outcome.violations.length} violations)`,
    `virtual=${seconds(outcome.virtualMs)} real=${Math.round(outcome.realMs)} ms ratio=${ratio(outcome.virtualMs, outcome.realMs)}`,
    `delivered/s=${perSecond(counts.delivered, outcome.realMs)}`,
    `messages=${counts.sent} delivered=${counts.delivered} dropped=${counts.dropped} duplicated=${counts.duplicated}`,
    `writes=${counts.acknowledged}/${counts.writes} faults=${counts.faults}`,
    `trace=${outcome.traceHash}`
  ].join(" ")
}

const maybeNodes = (nodes: Option.Option<number>) => Option.getOrUndefined(nodes)

const report = (outcome: SimulationOutcome, nodes: number | undefined) =>
  Effect.gen(function*() {
    if (!outcome.ok) {
      for (const violation of outcome.violations) yield* Console.log(describeViolation(violation))
      yield* Console.log(`replay: ${replayCommand(outcome.scenario, outcome.seed, nodes, outcome.links)}`)
    }
    yield* Console.log(summary(outcome))
    if (!outcome.ok) return yield* new SimulationFailed({ scenario: outcome.scenario, failed: 1, of: 1 })
  })

export const listScenarios = Effect.forEach(
  scenarios,
  (scenario) => Console.log(`${scenario.name.padEnd(16)} ${String(scenario.defaultNodes).padStart(2)} nodes  ${scenario.summary}`),
  { discard: true }
)

/** How far a run has gone, as `run`, `replay` and `fuzz` all show it. */
const progressText = ({ delivered, realMs, virtualMs }: SimulationProgress) =>
  `virtual ${seconds(virtualMs)} after ${seconds(realMs)} real, ${delivered} messages delivered`

/**
 * How far a long run has gone, on stderr: redrawn in place on a terminal, a line every ten
 * seconds otherwise. The simulator reports once a second, so a short run prints nothing.
 */
const runProgress = () => {
  const tty = process.stderr.isTTY === true
  let shown = false
  let lastLineAt = 0
  const onProgress = (progress: SimulationProgress) => {
    const text = progressText(progress)
    if (tty) {
      process.stderr.write(`\r${text}\x1b[K`)
      shown = true
    } else if (progress.realMs - lastLineAt >= 10_000) {
      lastLineAt = progress.realMs
      process.stderr.write(`${text}\n`)
    }
  }
  const done = Effect.sync(() => {
    if (shown) process.stderr.write("\r\x1b[K")
  })
  return { onProgress, done }
}

/** One run as `run` and `replay` make it: its progress shown, and Ctrl-C ending it at once. */
const simulateWatched = (options: Omit<SimulationOptions, "onProgress">) => {
  const progress = runProgress()
  return withDefaultSignals(runSimulation({ ...options, onProgress: progress.onProgress })).pipe(
    Effect.tap(() => progress.done)
  )
}

export interface RunArgs {
  readonly scenario: string
  readonly seed: number
  readonly nodes: Option.Option<number>
  readonly links: LinkMode
  readonly trace: Option.Option<string>
}

export const runOne = ({ links, nodes, scenario, seed, trace }: RunArgs) =>
  Effect.gen(function*() {
    const outcome = yield* simulateWatched({
      scenario,
      seed,
      links,
      keepTrace: Option.isSome(trace),
      ...(Option.isSome(nodes) ? { nodes: nodes.value } : {})
    })
    if (Option.isSome(trace)) {
      const fs = yield* FileSystem.FileSystem
      const run = { scenario: outcome.scenario, seed: outcome.seed, nodes: outcome.nodes, links: outcome.links }
      yield* fs.writeFileString(trace.value, renderTraceFile(run, outcome.trace, outcome.traceHash)).pipe(
        Effect.mapError((error) => new TraceFileUnusable({ file: trace.value, reason: error.message }))
      )
    }
    yield* report(outcome, maybeNodes(nodes))
  })

/**
 * A fuzz's progress on stderr: a bar of the seeds done, and how far a long seed under way has
 * gone (a large cluster's seed runs for minutes). On a terminal one line is redrawn in place;
 * otherwise a line per tenth of the seeds, and one every ten seconds for a long seed.
 */
const fuzzProgress = (total: number) => {
  const width = 30
  const tty = process.stderr.isTTY === true
  let lastTenth = -1
  const barOf = (done: number, failed: number) => {
    const filled = Math.round((done / total) * width)
    return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} failed=${failed}`
  }
  let bar = barOf(0, 0)
  let running = ""
  let lastLineAt = performance.now()
  const draw = () => process.stderr.write(`\r${bar}${running === "" ? "" : ` · ${running}`}\x1b[K`)
  const seedDone = (done: number, failed: number) => {
    running = ""
    if (tty) {
      bar = barOf(done, failed)
      draw()
      if (done === total) process.stderr.write("\n")
      return
    }
    const tenth = Math.floor((done * 10) / total)
    if (tenth !== lastTenth) {
      lastTenth = tenth
      lastLineAt = performance.now()
      process.stderr.write(`${done}/${total} seeds, ${failed} failed\n`)
    }
  }
  const seedProgress = (seed: number, progress: SimulationProgress) => {
    running = `seed ${seed}: ${progressText(progress)}`
    if (tty) return draw()
    if (performance.now() - lastLineAt < 10_000) return
    lastLineAt = performance.now()
    process.stderr.write(`${running}\n`)
  }
  return { seedDone, seedProgress }
}

const firstViolation = (result: SeedResult) => {
  const violation = result.violations[0]
  return violation === undefined ? "" : ` ${violation.invariant}: ${violation.detail.split("\n")[0]}`
}

export interface FuzzArgs {
  readonly scenario: string
  readonly seeds: number
  readonly startSeed: number
  readonly nodes: Option.Option<number>
  readonly links: LinkMode
  readonly workers: Option.Option<number>
}

export const fuzzSeeds = ({ links, nodes, scenario, seeds, startSeed, workers }: FuzzArgs) =>
  Effect.gen(function*() {
    const progress = fuzzProgress(seeds)
    const failures: Array<SeedResult> = []
    const outcome = yield* withDefaultSignals(fuzz({
      scenario,
      firstSeed: startSeed,
      seeds,
      links,
      ...(Option.isSome(nodes) ? { nodes: nodes.value } : {}),
      ...(Option.isSome(workers) ? { workers: workers.value } : {}),
      onResult: (result, done) => {
        if (!result.ok) {
          failures.push(result)
          if (process.stderr.isTTY === true) process.stderr.write("\n")
          process.stdout.write(
            `seed ${result.seed} FAILED${firstViolation(result)}\n  replay: ${replayCommand(scenario, result.seed, maybeNodes(nodes), links)}\n`
          )
        }
        progress.seedDone(done, failures.length)
      },
      onSeedProgress: progress.seedProgress
    }))
    yield* Console.log(
      [
        `${scenario}: ${seeds} ${seeds === 1 ? "seed" : "seeds"} from ${startSeed}, ${outcome.failed.length} failed`,
        `in ${seconds(outcome.realMs)}`,
        `virtual=${seconds(outcome.virtualMs)} virtual/real=${ratio(outcome.virtualMs, outcome.realMs)}`,
        `delivered/s=${perSecond(outcome.delivered, outcome.realMs)}`
      ].join(" ")
    )
    if (outcome.failed.length > 0) {
      return yield* new SimulationFailed({ scenario, failed: outcome.failed.length, of: seeds })
    }
  })

const firstDifference = (recorded: ReadonlyArray<string>, replayed: ReadonlyArray<string>) => {
  const length = Math.max(recorded.length, replayed.length)
  for (let i = 0; i < length; i++) {
    if (recorded[i] !== replayed[i]) {
      return `first difference at line ${i + 1}:\n  recorded: ${recorded[i]?.trimEnd() ?? "(end)"}\n  replayed: ${replayed[i]?.trimEnd() ?? "(end)"}`
    }
  }
  return "the lines agree; only the hash differs"
}

export interface ReplayArgs {
  readonly scenario: string
  readonly seed: number
  readonly nodes: Option.Option<number>
  readonly links: LinkMode
  readonly trace: string
}

export const replayTrace = ({ links, nodes, scenario, seed, trace }: ReplayArgs) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(trace).pipe(
      Effect.mapError((error) => new TraceFileUnusable({ file: trace, reason: error.message }))
    )
    const recorded = traceHashOfFile(text)
    if (recorded === undefined) {
      return yield* new TraceFileUnusable({ file: trace, reason: "it does not end with a `# trace=<hash>` line" })
    }
    const outcome = yield* simulateWatched({
      scenario,
      seed,
      links,
      keepTrace: true,
      ...(Option.isSome(nodes) ? { nodes: nodes.value } : {})
    })
    // A different run takes a different path by design: that is the command's mistake, not the code's.
    const traced = tracedRunOfFile(text)
    if (
      traced !== undefined &&
      (traced.scenario !== outcome.scenario || traced.seed !== outcome.seed || traced.nodes !== outcome.nodes ||
        traced.links !== outcome.links)
    ) {
      return yield* new TraceFileUnusable({
        file: trace,
        reason: `it records ${runFlags(traced.scenario, traced.seed, traced.nodes, traced.links)}; replay it with those`
      })
    }
    if (outcome.traceHash !== recorded) {
      const lines = text.split(/(?<=\n)/).filter((line) => !line.startsWith("# trace=") && !line.startsWith("# run "))
      yield* Console.log(firstDifference(lines, outcome.trace))
      yield* Console.log(summary(outcome))
      return yield* new TraceMismatch({ file: trace, recorded, replayed: outcome.traceHash })
    }
    yield* Console.log(`replay matches ${trace}`)
    yield* report(outcome, maybeNodes(nodes))
  })

