import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { fuzz } from "../../simulations/fuzz.ts"
import type { SimulationProgress } from "../../simulations/runSimulation.ts"

describe("fuzz", () => {
  it.live("reports every seed once, in seed order, with the same hashes whether run here or spread over threads", () =>
    Effect.gen(function*() {
      const here = yield* fuzz({ scenario: "flaky-network", firstSeed: 10, seeds: 12, workers: 1 })
      const spread = yield* fuzz({ scenario: "flaky-network", firstSeed: 10, seeds: 12, workers: 2 })
      expect(here.results.map((result) => result.seed)).toEqual(Array.from({ length: 12 }, (_, i) => 10 + i))
      expect(spread.results.map((result) => [result.seed, result.traceHash])).toEqual(
        here.results.map((result) => [result.seed, result.traceHash])
      )
      expect(spread.failed).toEqual([])
    }), 120_000)

  it.live("tells how far each seed under way has gone, from helper threads as from this thread", () =>
    Effect.gen(function*() {
      for (const workers of [1, 2]) {
        const heard = new Map<number, Array<SimulationProgress>>()
        const outcome = yield* fuzz({
          scenario: "flaky-network",
          firstSeed: 10,
          seeds: 2,
          workers,
          progressEveryMs: 1,
          onSeedProgress: (seed, progress) => heard.set(seed, [...(heard.get(seed) ?? []), progress])
        })
        expect([workers, [...heard.keys()].sort()]).toEqual([workers, [10, 11]])
        for (const result of outcome.results) {
          const virtual = heard.get(result.seed)!.map((progress) => progress.virtualMs)
          expect(virtual).toEqual([...virtual].sort((a, b) => a - b))
          expect(virtual.at(-1)).toBeLessThanOrEqual(result.virtualMs)
        }
      }
    }), 120_000)

  it.live("fails on an unknown scenario before starting any thread", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fuzz({ scenario: "nope", firstSeed: 1, seeds: 10 }))
      expect(error._tag).toBe("UnknownScenario")
    }))
})
