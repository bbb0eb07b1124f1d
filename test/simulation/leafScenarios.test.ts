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

  // Each once sent the leaf a watermark past a space's state withheld because its space had not reached the origin yet.
  it("give the leaf a space's state that reached its origin before the space did", async () => {
    const outcomes = await runSeeds({ scenario: "leaf-origin-crash" }, [12023, 12895, 13397, 13955])
    const failures = outcomes.filter((outcome) => !outcome.ok).map(describeFailure).join("\n")
    expect(failures, failures).toBe("")
  })
})
