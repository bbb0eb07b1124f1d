import { Effect } from "effect"
import { setImmediate } from "node:timers/promises"
import type { SimulationOptions, SimulationOutcome } from "../../simulations/runSimulation.ts"
import { replayCommand, runSimulation } from "../../simulations/runSimulation.ts"

/** How a failing seed reads in a test report: what broke, and the command that replays it. */
export const describeFailure = (outcome: SimulationOutcome): string =>
  [
    `seed ${outcome.seed} of ${outcome.scenario} broke ${outcome.violations.length} invariant(s):`,
    ...outcome.violations.slice(0, 5).map((v) => `  at ${v.at} ms ${v.invariant}: ${v.detail}`),
    `  replay: ${replayCommand(outcome.scenario, outcome.seed, outcome.nodes, outcome.links)}`
  ].join("\n")

/**
 * Runs seeds one after another. A run is synchronous, so the event loop gets a turn between
 * runs: vitest's worker must answer its own heartbeat.
 */
export const runSeeds = async (
  options: Omit<SimulationOptions, "seed">,
  seeds: ReadonlyArray<number>
): Promise<Array<SimulationOutcome>> => {
  const outcomes: Array<SimulationOutcome> = []
  for (const seed of seeds) {
    outcomes.push(Effect.runSync(runSimulation({ ...options, seed })))
    await setImmediate()
  }
  return outcomes
}

export const seedRange = (count: number): Array<number> => Array.from({ length: count }, (_, i) => i + 1)
