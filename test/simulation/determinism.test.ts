import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runSimulation } from "../../simulations/runSimulation.ts"

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
