import { describe, expect, it } from "@effect/vitest"
import { acceptanceSeeds } from "./acceptanceSeeds.ts"
import { describeFailure, runSeeds, seedRange } from "./simulationFailure.ts"

describe("spaces under crashes of their owners", () => {
  it(`no space runs on two nodes, and every request is carried out, over ${acceptanceSeeds} seeds of space-crashes`, async () => {
    const outcomes = await runSeeds({ scenario: "space-crashes" }, seedRange(acceptanceSeeds))
    const failures = outcomes.filter((outcome) => !outcome.ok).map(describeFailure).join("\n")
    expect(failures, failures).toBe("")
    // The plan aims crashes at container steps: the seeds must land many of them there.
    const midStep = outcomes.reduce((crashes, outcome) => crashes + outcome.counts.crashesMidStep, 0)
    expect(midStep).toBeGreaterThan(acceptanceSeeds / 2)
  }, 600_000)
})
