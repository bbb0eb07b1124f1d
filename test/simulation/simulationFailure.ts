import type { SimulationOutcome } from "../../simulations/runSimulation.ts"
import { replayCommand } from "../../simulations/runSimulation.ts"

/** How a failing seed reads in a test report: what broke, and the command that replays it. */
export const describeFailure = (outcome: SimulationOutcome): string =>
  [
    `seed ${outcome.seed} of ${outcome.scenario} broke ${outcome.violations.length} invariant(s):`,
    ...outcome.violations.slice(0, 5).map((v) => `  at ${v.at} ms ${v.invariant}: ${v.detail}`),
    `  replay: ${replayCommand(outcome.scenario, outcome.seed)}`
  ].join("\n")
