/**
 * The simulator and gossip at scale, for N = 10, 100 and 1 000 nodes: how many anti-entropy
 * rounds a write takes to reach every node (mean and max over seeds, against 2·log2 N), what
 * a settled cluster's anti-entropy and membership cost per node and second, how fast the
 * simulator ran that cluster from its start (virtual/real, messages delivered per real
 * second), and the peak memory of it all. Then every cluster scenario at 128 and 256 nodes
 * (seed 1), with whether every invariant held (a partition-heal of 1 000 nodes is README's
 * command: it takes far longer than a bench should). Each case runs in a process of its own,
 * so that its peak memory is its own. Run by `npm run bench`; prints figures and never fails
 * on a timing.
 *
 * `node --import tsx test/bench/simulationScale.ts [N ...]` measures those sizes alone.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { measureConvergence, measureSteadyState } from "../../simulations/convergence.ts"
import { runSimulation } from "../../simulations/runSimulation.ts"
import { clusterScenarios } from "../../simulations/scenarios.ts"
import { scaled } from "./benchScale.ts"

interface SizeFigures {
  readonly nodes: number
  readonly rounds: ReadonlyArray<number>
  readonly antiEntropy: number
  readonly membership: number
  readonly virtualMs: number
  readonly realMs: number
  readonly delivered: number
  readonly peakMb: number
}

interface ScenarioFigures {
  readonly scenario: string
  readonly nodes: number
  readonly ok: boolean
  readonly violations: number
  readonly virtualMs: number
  readonly realMs: number
  readonly delivered: number
  readonly peakMb: number
}

const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024)

/** Seeds for the convergence rounds: fewer as a run grows costly. */
const convergenceSeeds = (nodes: number) => (nodes <= 100 ? [1, 2, 3] : [1])

const measureSize = (nodes: number): SizeFigures => {
  const rounds = convergenceSeeds(nodes).map((seed) =>
    Effect.runSync(measureConvergence({ nodes, seed, backgroundWritesPerNode: 1 })).rounds
  )
  const steady = Effect.runSync(measureSteadyState({ nodes, seed: 1 }))
  return {
    nodes,
    rounds,
    antiEntropy: steady.antiEntropyBytesPerNodePerSecond,
    membership: steady.membershipBytesPerNodePerSecond,
    virtualMs: steady.virtualMs,
    realMs: steady.realMs,
    delivered: steady.delivered,
    peakMb: peakMb()
  }
}

const measureScenario = (scenario: string, nodes: number): ScenarioFigures => {
  const run = Effect.runSync(runSimulation({ seed: 1, scenario, nodes }))
  return {
    scenario,
    nodes,
    ok: run.ok,
    violations: run.violations.length,
    virtualMs: run.virtualMs,
    realMs: run.realMs,
    delivered: run.counts.delivered,
    peakMb: peakMb()
  }
}

const self = fileURLToPath(import.meta.url)

/** Runs one case in a child process (4 GiB of heap at most) and reads its figures. */
const inChild = <A>(...args: ReadonlyArray<string>): A =>
  JSON.parse(
    execFileSync(process.execPath, ["--max-old-space-size=4096", "--import", "tsx", self, "--case", ...args], {
      encoding: "utf8",
      maxBuffer: 1024 * 1024
    })
  ) as A

const speed = (virtualMs: number, realMs: number, delivered: number) =>
  `${(virtualMs / realMs).toFixed(1).padStart(8)}x ${String(Math.round((delivered * 1000) / realMs)).padStart(10)}`

const mean = (xs: ReadonlyArray<number>) => xs.reduce((sum, x) => sum + x, 0) / xs.length

const main = () => {
  const caseAt = process.argv.indexOf("--case")
  if (caseAt >= 0) {
    const [what, nodes, scenario] = process.argv.slice(caseAt + 1)
    const figures = what === "size" ? measureSize(Number(nodes)) : measureScenario(scenario!, Number(nodes))
    process.stdout.write(JSON.stringify(figures))
    return
  }
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : scaled([10, 100, 1000], [10])
  process.stdout.write(
    "\nsimulation at scale (default gossip; speed of the settled cluster's whole run, start included)\n" +
      "nodes  rounds mean (max)  target 2·log2 N  anti-entropy B/node/s  membership B/node/s  virtual/real  delivered/s  peak MB\n"
  )
  for (const nodes of sizes) {
    const f = inChild<SizeFigures>("size", String(nodes))
    process.stdout.write(
      [
        String(nodes).padStart(5),
        `${mean(f.rounds).toFixed(1)} (${Math.max(...f.rounds)})`.padStart(17),
        (2 * Math.log2(nodes)).toFixed(1).padStart(15),
        String(f.antiEntropy).padStart(21),
        String(f.membership).padStart(19),
        speed(f.virtualMs, f.realMs, f.delivered),
        String(f.peakMb).padStart(8)
      ].join("  ") + "\n"
    )
  }
  if (process.argv.length > 2) return
  process.stdout.write("\nscenario         nodes  invariants      virtual s  virtual/real  delivered/s  peak MB\n")
  for (const nodes of scaled([128, 256], [20])) {
    for (const { name: scenario } of clusterScenarios) {
      const f = inChild<ScenarioFigures>("scenario", String(nodes), scenario)
      process.stdout.write(
        [
          scenario.padEnd(15),
          String(nodes).padStart(5),
          (f.ok ? "held" : `${f.violations} broken`).padEnd(14),
          (f.virtualMs / 1000).toFixed(1).padStart(9),
          speed(f.virtualMs, f.realMs, f.delivered),
          String(f.peakMb).padStart(8)
        ].join("  ") + "\n"
      )
    }
  }
}

main()
