/**
 * Gossip convergence in the simulator: for N = 10, 50, 100 and fanout 3, how many
 * anti-entropy rounds (and virtual seconds) one write takes to reach every node, against the
 * 2·log2(N) target, and the bytes one node sends per round meanwhile — into a fresh cluster,
 * and into one where every node has written (digests then carry N origins). The figures are
 * virtual time, so they do not depend on the machine. Each row prints once its runs are done
 * (vitest's bench runner calls no afterAll); tinybench may call a bench again, and those
 * calls reuse the figures. Nothing here passes or fails.
 */
import { Effect } from "effect"
import { bench, describe } from "vitest"
import { type ConvergenceResult, measureConvergence } from "../../simulations/convergence.ts"
import { scaled } from "./benchScale.ts"

const seeds = scaled([1, 2, 3], [1])
const measured = new Set<string>()
const once = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 }

const mean = (xs: ReadonlyArray<number>) => xs.reduce((sum, x) => sum + x, 0) / Math.max(1, xs.length)

const header =
  "nodes  cluster       rounds mean (max)  virtual s  target 2·log2(N)  bytes/node/round (anti-entropy only)  holders per round (slowest seed)"

const row = (nodes: number, cluster: string, runs: ReadonlyArray<ConvergenceResult>) => {
  const slowest = runs.reduce((a, b) => (b.rounds > a.rounds ? b : a))
  return [
    String(nodes).padStart(5),
    cluster.padEnd(12),
    `${mean(runs.map((r) => r.rounds)).toFixed(1)} (${slowest.rounds})`.padStart(18),
    (mean(runs.map((r) => r.virtualMs)) / 1000).toFixed(2).padStart(9),
    (2 * Math.log2(nodes)).toFixed(1).padStart(17),
    `${Math.round(mean(runs.map((r) => r.bytesPerNodePerRound)))} (${
      Math.round(mean(runs.map((r) => r.antiEntropyBytesPerNodePerRound)))
    })`.padStart(37),
    ` ${slowest.spread.join(" → ")}${runs.every((r) => r.converged) ? "" : "  (did not converge)"}`
  ].join("  ")
}

describe("gossip convergence (simulated, fanout 3)", () => {
  for (const [background, cluster] of [[0, "fresh"], [1, "all written"]] as const) {
    for (const nodes of scaled([10, 50, 100], [10])) {
      const key = `${nodes}/${background}`
      bench(`${nodes} nodes, ${cluster}`, () => {
        if (measured.has(key)) return
        const runs = seeds.map((seed) =>
          Effect.runSync(measureConvergence({ nodes, seed, backgroundWritesPerNode: background }))
        )
        if (measured.size === 0) process.stdout.write(`\n${header}\n`)
        measured.add(key)
        process.stdout.write(`${row(nodes, cluster, runs)}\n`)
      }, once)
    }
  }
})
