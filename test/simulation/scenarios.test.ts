import { describe, expect, it } from "@effect/vitest"
import { scenarios } from "../../simulations/scenarios.ts"
import { acceptanceScenarios } from "./acceptanceSeeds.ts"
import { describeFailure, runSeeds, seedRange } from "./simulationFailure.ts"

const seeds = 50

describe("simulation scenarios", () => {
  for (const scenario of scenarios.filter((scenario) => !acceptanceScenarios.includes(scenario.name))) {
    it(`${scenario.name} holds every invariant over ${seeds} seeds`, async () => {
      const outcomes = await runSeeds({ scenario: scenario.name }, seedRange(seeds))
      const failures = outcomes.filter((outcome) => !outcome.ok).map(describeFailure).join("\n")
      expect(failures, failures).toBe("")
    }, 180_000)
  }
})
