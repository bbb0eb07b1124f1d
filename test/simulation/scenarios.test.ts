import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runSimulation } from "../../simulations/runSimulation.ts"
import { scenarios } from "../../simulations/scenarios.ts"
import { describeFailure } from "./simulationFailure.ts"

const seeds = 50

describe("simulation scenarios", () => {
  for (const scenario of scenarios) {
    it.effect(`${scenario.name} holds every invariant over ${seeds} seeds`, () =>
      Effect.gen(function*() {
        const failures: Array<string> = []
        for (let seed = 1; seed <= seeds; seed++) {
          const outcome = yield* runSimulation({ seed, scenario: scenario.name })
          if (!outcome.ok) failures.push(describeFailure(outcome))
        }
        expect(failures.join("\n"), failures.join("\n")).toBe("")
      }), 180_000)
  }
})
