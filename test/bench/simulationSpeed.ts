/**
 * The simulator's speed against issue 19's targets, as a user runs it: 200× real time for a
 * 5-node scenario, 20× at 100 nodes, and `knot sim fuzz --scenario partition-heal --seeds
 * 1000` within 60 s. Every figure comes from the CLI's own bundle (`npm run build` first, as
 * `npm ci` does), in a process of its own:
 * - `knot sim run` of one 5-node seed, cold: the whole run, V8 warming up included;
 * - `knot sim fuzz --workers 1` over 5-node seeds: one thread, seed after seed, as warm as a
 *   long search gets;
 * - `knot sim run` at 100 nodes, and two 100-node seeds back to back in one thread;
 * - the 1 000-seed fuzz with a worker per core.
 * Prints figures and asserts none: these machines are noisy.
 *
 * `node --import tsx test/bench/simulationSpeed.ts`
 */
import { execFileSync } from "node:child_process"
import { availableParallelism } from "node:os"
import { join } from "node:path"
import { scaled, smokeRun } from "./benchScale.ts"

const root = new URL("../..", import.meta.url).pathname
const knot = join(root, "bin", "knot.js")

const knotSim = (args: ReadonlyArray<string>): string =>
  execFileSync(process.execPath, [knot, "sim", ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] })

/** `knot sim run`'s speed: its ratio and delivered/s, as it prints them. */
const runFigures = (output: string) => {
  const line = output.split("\n").find((text) => text.includes(" ratio=")) ?? ""
  const ratio = /ratio=([\d.]+)x/.exec(line)?.[1] ?? "?"
  const real = /real=(\d+) ms/.exec(line)?.[1] ?? "?"
  const delivered = /delivered\/s=(\d+)/.exec(line)?.[1] ?? "?"
  return { ratio: `${ratio}x`, detail: `real ${real} ms, ${delivered} delivered/s${line.includes(" ok ") ? "" : ", FAILED"}` }
}

/** `knot sim fuzz`'s speed: its virtual/real and delivered/s over all its seeds. */
const fuzzFigures = (output: string) => {
  const line = output.split("\n").find((text) => text.includes("virtual/real=")) ?? ""
  const ratio = /virtual\/real=([\d.]+)x/.exec(line)?.[1] ?? "?"
  const seconds = /in ([\d.]+) s/.exec(line)?.[1] ?? "?"
  const failed = /(\d+) failed/.exec(line)?.[1] ?? "?"
  const delivered = /delivered\/s=(\d+)/.exec(line)?.[1] ?? "?"
  return { ratio: `${ratio}x`, detail: `${seconds} s, ${delivered} delivered/s, ${failed} failed` }
}

// The smoke run takes the bundle `npm ci` built, as the CLI's own tests do.
if (!smokeRun) execFileSync("npm", ["run", "build"], { cwd: root, stdio: "ignore" })

const measure = (what: string, target: string, figures: () => { readonly ratio: string; readonly detail: string }) => {
  const result = figures()
  console.log(`  ${what.padEnd(58)} ${target.padStart(7)} ${result.ratio.padStart(7)}  ${result.detail}`)
}

const warmSeeds = scaled(300, 3)
const large = scaled(100, 10)
const manySeeds = scaled(1000, 4)

console.log(`\nsimulator speed (partition-heal; target, then virtual/real; ${availableParallelism()} cores)`)
for (const seed of scaled([1, 2, 3], [1])) {
  measure(`knot sim run, 5 nodes, seed ${seed} (cold process)`, "200x", () =>
    runFigures(knotSim(["run", "--scenario", "partition-heal", "--seed", String(seed)])))
}
measure(`knot sim fuzz --workers 1, 5 nodes, ${warmSeeds} seeds (one thread)`, "200x", () =>
  fuzzFigures(knotSim(["fuzz", "--scenario", "partition-heal", "--seeds", String(warmSeeds), "--workers", "1"])))
measure(`knot sim run, ${large} nodes, seed 1 (cold process)`, "20x", () =>
  runFigures(knotSim(["run", "--scenario", "partition-heal", "--seed", "1", "--nodes", String(large)])))
measure(`knot sim fuzz --workers 1, ${large} nodes, seeds 1-2 (one thread)`, "20x", () =>
  fuzzFigures(knotSim(["fuzz", "--scenario", "partition-heal", "--seeds", "2", "--nodes", String(large), "--workers", "1"])))
measure(`knot sim fuzz, 5 nodes, ${manySeeds.toLocaleString("en").replace(",", " ")} seeds (a worker per core)`, "< 60 s", () =>
  fuzzFigures(knotSim(["fuzz", "--scenario", "partition-heal", "--seeds", String(manySeeds)])))
