import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { fuzz } from "../../simulations/fuzz.ts"

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

  it.live("fails on an unknown scenario before starting any thread", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fuzz({ scenario: "nope", firstSeed: 1, seeds: 10 }))
      expect(error._tag).toBe("UnknownScenario")
    }))
})
