/**
 * Where a simulation's real time goes, for issue 19's speed targets: one run of a scenario
 * (partition-heal at 100 nodes, seed 1, unless told), each step of the harness timed and
 * charged to what started it (simulations/stepCosts.ts): a frame by its kind, a sleep by its
 * length, the nodes' start. Beside each cause: its steps, real time in all and per step, the
 * Effect ops per step, and its share of the run. Per step, many more microseconds than ops
 * says the time is the handler's own work rather than the runtime's. Prints and asserts
 * nothing: these machines are noisy.
 *
 * `node --import tsx test/bench/simulationCost.ts [NODES] [SCENARIO] [SEED]`
 */
import { Effect } from "effect"
import { runSimulation } from "../../simulations/runSimulation.ts"
import type { StepCosts } from "../../simulations/stepCosts.ts"
import { scaled } from "./benchScale.ts"

const [nodesArg, scenarioArg, seedArg] = process.argv.slice(2)
const nodes = Number(nodesArg ?? scaled(100, 5))
const scenario = scenarioArg ?? "partition-heal"
const seed = Number(seedArg ?? 1)

const costs: StepCosts = new Map()
const outcome = Effect.runSync(runSimulation({ scenario, seed, nodes, stepCosts: costs }))

const rows = [...costs].sort((a, b) => b[1].ms - a[1].ms)
const total = rows.reduce((sum, [, cost]) => sum + cost.ms, 0)
const shown = rows.filter(([, cost]) => cost.ms >= total / 200)
console.log(
  `\nwhere the real time of ${scenario} seed ${seed} at ${nodes} nodes went ` +
    `(${outcome.ok ? "ok" : "FAILED"}, ${(outcome.virtualMs / 1000).toFixed(1)} s virtual in ${Math.round(outcome.realMs)} ms, ` +
    `${(outcome.virtualMs / outcome.realMs).toFixed(1)}x; causes under 0.5% of it left out)`
)
console.log(`  ${"cause".padEnd(28)} ${"steps".padStart(7)} ${"ms".padStart(7)} ${"µs/step".padStart(9)} ${"ops/step".padStart(9)} ${"share".padStart(6)}`)
for (const [cause, cost] of shown) {
  console.log(
    `  ${cause.padEnd(28)} ${String(cost.count).padStart(7)} ${cost.ms.toFixed(0).padStart(7)} ` +
      `${((1000 * cost.ms) / cost.count).toFixed(0).padStart(9)} ${(cost.ops / cost.count).toFixed(0).padStart(9)} ` +
      `${((100 * cost.ms) / total).toFixed(1).padStart(5)}%`
  )
}
