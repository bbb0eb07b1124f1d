/**
 * Every command of `npm run bench` runs to its end at its smallest size (benchScale.ts). CI
 * runs no bench for its figures, and two benches once waited forever, unnoticed, after a change
 * elsewhere (node ids from Noise keys, spaces keyed by creation id). A bench passes here when it
 * exits cleanly having printed; no figure and no timing is judged. The commands are read from
 * package.json, so a bench added there is run here too.
 */
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
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
    const child = spawn(program === "vitest" ? "npx" : program === "node" ? process.execPath : program!, program === "vitest" ? argv : args, {
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

describe("npm run bench, every command at its smallest size", () => {
  it("reads its commands from package.json", () => {
    expect(commands.length).toBeGreaterThan(5)
    expect(commands[0]).toEqual(["vitest", "bench", "--run"])
  })

  for (const argv of commands) {
    const name = argv.at(-1)!.endsWith(".ts") ? argv.at(-1)! : argv.join(" ")
    it(`${name} runs to its end and prints figures`, async () => {
      const { code, output } = await runSmall(argv)
      expect(code, output.slice(-4_000)).toBe(0)
      expect(output).toMatch(/\d/)
      // With an engine here, a bench that needs one must have run rather than bowed out.
      if (engine) expect(output).not.toContain(noEngineNotice("").split(":")[0])
    }, hangAfterMs + 10_000)
  }
})
