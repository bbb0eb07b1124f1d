import { describe, expect, it } from "@effect/vitest"
import { acceptanceSeeds } from "./acceptanceSeeds.ts"
import { describeFailure, runSeeds, seedRange } from "./simulationFailure.ts"

/** The distinct creation ids that engines made containers for under the space name `p`. */
const containersNamedP = (trace: ReadonlyArray<string>) =>
  new Set(trace.flatMap((line) => {
    const made = / engine created \S+ knot\.p\.([0-9a-f]{16})\.\d+\n?$/.exec(line)
    return made === null ? [] : [made[1]!]
  }))

describe("creates on both sides of a partition", () => {
  it(`lose nothing at the heal, the same name created on both sides included, over ${acceptanceSeeds} seeds of space-partition`, async () => {
    const outcomes = await runSeeds({ scenario: "space-partition", keepTrace: true }, seedRange(acceptanceSeeds))
    const failures = outcomes.filter((outcome) => !outcome.ok).map(describeFailure).join("\n")
    expect(failures, failures).toBe("")
    // Both sides create `p`: the seeds must make two spaces of it, each with its own container.
    const twoSpaces = outcomes.filter((outcome) => containersNamedP(outcome.trace).size === 2).length
    expect(twoSpaces).toBeGreaterThan(acceptanceSeeds / 2)
  }, 600_000)
})
