import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runSimulation, type SimulationProgress } from "../../simulations/runSimulation.ts"

describe("simulation determinism", () => {
  it.effect("one seed run twice gives the same trace hash", () =>
    Effect.gen(function*() {
      const first = yield* runSimulation({ seed: 42, scenario: "flaky-network" })
      const second = yield* runSimulation({ seed: 42, scenario: "flaky-network" })
      expect(second.traceHash).toBe(first.traceHash)
      expect(second.counts).toEqual(first.counts)
    }))

  it.effect("keeping the trace lines does not change the hash", () =>
    Effect.gen(function*() {
      const hashOnly = yield* runSimulation({ seed: 7, scenario: "crash-restart" })
      const withLines = yield* runSimulation({ seed: 7, scenario: "crash-restart", keepTrace: true })
      expect(withLines.traceHash).toBe(hashOnly.traceHash)
      expect(withLines.trace.length).toBeGreaterThan(0)
    }))

  it.effect("watching a run's progress does not change the hash", () =>
    Effect.gen(function*() {
      const unwatched = yield* runSimulation({ seed: 7, scenario: "partition-heal" })
      const watched = yield* runSimulation({ seed: 7, scenario: "partition-heal", onProgress: () => undefined, progressEveryMs: 0 })
      expect(watched.traceHash).toBe(unwatched.traceHash)
    }))

  it.effect("reports progress as virtual time and deliveries that only grow, up to where the run ends", () =>
    Effect.gen(function*() {
      const seen: Array<SimulationProgress> = []
      const outcome = yield* runSimulation({
        seed: 7,
        scenario: "partition-heal",
        onProgress: (progress) => seen.push(progress),
        progressEveryMs: 0
      })
      expect(seen.length).toBeGreaterThan(10)
      for (const [earlier, later] of seen.slice(1).map((progress, i) => [seen[i]!, progress] as const)) {
        expect(later.virtualMs).toBeGreaterThanOrEqual(earlier.virtualMs)
        expect(later.delivered).toBeGreaterThanOrEqual(earlier.delivered)
      }
      expect(seen.at(-1)!.virtualMs).toBe(outcome.virtualMs)
      expect(seen.at(-1)!.delivered).toBeLessThanOrEqual(outcome.counts.delivered)
    }))

  it.effect("another seed takes another path", () =>
    Effect.gen(function*() {
      const one = yield* runSimulation({ seed: 1, scenario: "partition-heal" })
      const two = yield* runSimulation({ seed: 2, scenario: "partition-heal" })
      expect(two.traceHash).not.toBe(one.traceHash)
    }))

  it.effect("an unknown scenario fails with the list of valid names", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runSimulation({ seed: 1, scenario: "no-such-thing" }))
      expect(error._tag).toBe("UnknownScenario")
      expect(error.message).toContain("partition-heal")
    }))
})
