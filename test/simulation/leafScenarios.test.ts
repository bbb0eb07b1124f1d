import { describe, expect, it } from "@effect/vitest"
import { acceptanceSeeds } from "./acceptanceSeeds.ts"
import { describeFailure, runSeeds, seedRange } from "./simulationFailure.ts"

describe("a leaf and its origin", () => {
  for (const scenario of ["leaf-offline", "leaf-origin-crash", "leaf-byzantine"]) {
    it(`converge with no local change lost over ${acceptanceSeeds} seeds of ${scenario}`, async () => {
      const outcomes = await runSeeds({ scenario }, seedRange(acceptanceSeeds))
      const failures = outcomes.filter((outcome) => !outcome.ok).map(describeFailure).join("\n")
      expect(failures, failures).toBe("")
    }, 600_000)
  }
})
