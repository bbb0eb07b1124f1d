/**
 * Every command of `npm run bench` runs to its end at its smallest size (benchScale.ts). CI
 * runs no bench for its figures, and two benches once waited forever, unnoticed, after a change
 * elsewhere (node ids from Noise keys, spaces keyed by creation id). A bench passes here when it
 * exits cleanly having printed; no figure and no timing is judged. The commands are read from
 * package.json, so a bench added there is run here too.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { engineAvailable, noEngineNotice } from "../support/dockerEngine.ts"

const root = new URL("../..", import.meta.url).pathname
const benchScript: string = JSON.parse(readFileSync(`${root}package.json`, "utf8")).scripts.bench
const commands = benchScript.split(" && ").map((command) => command.trim().split(/\s+/))

/** A bench that hangs is stopped here, long after any of them takes at its smallest size. */
const hangAfterMs = 240_000

interface Finished {
  readonly code: number | null
  readonly output: string
}

const runSmall = (argv: ReadonlyArray<string>): Promise<Finished> =>
  new Promise((resolve, reject) => {
    const [program, ...args] = argv
    // vitest through npx, as npm runs it; node as this very binary.
    const [command, commandArgs] = program === "vitest"
      ? ["npx", argv]
      : [program === "node" ? process.execPath : program!, args]
    const child = spawn(command, commandArgs, {
      cwd: root,
      env: { ...process.env, KNOT_BENCH_SMOKE: "1", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    const timer = setTimeout(() => {
      // The whole group: a bench's own `knot server` processes go with it.
      process.kill(-child.pid!, "SIGKILL")
      reject(new Error(`${argv.join(" ")} did not finish within ${hangAfterMs / 1000} s:\n${output.slice(-4_000)}`))
    }, hangAfterMs)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

const engine = await engineAvailable()

interface BenchFile {
  readonly filepath: string
  readonly groups: ReadonlyArray<{ readonly benchmarks: ReadonlyArray<{ readonly name: string; readonly sampleCount?: number }> }>
}

/** The vitest benches, which must all report; those that need an engine only where one answers. */
const benchFiles = readdirSync(`${root}test/bench`).filter((file) => file.endsWith(".bench.ts")).map((file) => `test/bench/${file}`)
const needsEngine = new Set(["test/bench/container.bench.ts", "test/bench/space.bench.ts"])

describe("npm run bench, every command at its smallest size", () => {
  it("reads its commands from package.json", () => {
    expect(commands.length).toBeGreaterThan(5)
    expect(commands.filter((command) => command[0] === "vitest")).toEqual([["vitest", "bench", "--run"]])
  })

  it("vitest bench --run: every bench takes its samples, none throws", async () => {
    // vitest bench exits 0 whatever a bench throws: its report tells, by a bench with no samples.
    const directory = mkdtempSync(join(tmpdir(), "knot-bench-smoke-"))
    try {
      const report = join(directory, "bench.json")
      const { code, output } = await runSmall(["vitest", "bench", "--run", "--outputJson", report])
      expect(code, output.slice(-4_000)).toBe(0)
      const files: ReadonlyArray<BenchFile> = JSON.parse(readFileSync(report, "utf8")).files
      const benches = files.flatMap((file) =>
        file.groups.flatMap((group) => group.benchmarks.map((bench) => ({ file: file.filepath, ...bench })))
      )
      expect(benches.filter((bench) => (bench.sampleCount ?? 0) < 1).map((bench) => `${bench.file}: ${bench.name}`)).toEqual([])
      const ran = new Set(benches.map((bench) => bench.file.replace(/.*\/test\//, "test/")))
      for (const file of benchFiles) if (engine || !needsEngine.has(file)) expect(ran).toContain(file)
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  }, hangAfterMs + 10_000)

  for (const argv of commands.filter((command) => command[0] !== "vitest")) {
    const name = argv.at(-1)!
    it(`${name} runs to its end and prints figures`, async () => {
      const { code, output } = await runSmall(argv)
      expect(code, output.slice(-4_000)).toBe(0)
      expect(output).toMatch(/\d/)
      // With an engine here, a bench that needs one must have run rather than bowed out.
      if (engine) expect(output).not.toContain(noEngineNotice("").split(":")[0])
    }, hangAfterMs + 10_000)
  }
})
