import { describe, expect, it } from "@effect/vitest"
import { clusterScenarios } from "../../simulations/scenarios.ts"
import { describeFailure, runSeeds, seedRange } from "./simulationFailure.ts"

/**
 * Every cluster scenario at a size no full mesh of Hyperswarm reaches: the bounds that grow
 * with the cluster (suspicion, quiet periods, the checker's) must hold there too. Few seeds:
 * a 64-node run costs as much as a hundred of five nodes.
 */
const nodes = 64
const seeds = 2

describe(`cluster scenarios at ${nodes} nodes`, () => {
  for (const scenario of clusterScenarios) {
    it(`${scenario.name} holds every invariant over ${seeds} seeds`, async () => {
      const outcomes = await runSeeds({ scenario: scenario.name, nodes }, seedRange(seeds))
      const failures = outcomes.filter((outcome) => !outcome.ok).map(describeFailure).join("\n")
      expect(failures, failures).toBe("")
    }, 300_000)
  }
})
