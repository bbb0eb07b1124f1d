import { spawn } from "node:child_process"
import { once } from "node:events"
import { describe, expect, it } from "vitest"

const knotBin = new URL("../../bin/knot.js", import.meta.url).pathname

/** Long past the CLI's start, and far short of the run's end (25 s on an idle machine here). */
const interruptAfterMs = 5_000

describe("knot sim run, interrupted", () => {
  it("ends at Ctrl-C while the simulation runs, rather than when it ends", async () => {
    const child = spawn(process.execPath, [knotBin, "sim", "run", "--scenario", "swarm", "--seed", "1", "--nodes", "300"], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    const output: Array<string> = []
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()))
    const exited = once(child, "exit")
    await new Promise((resolve) => setTimeout(resolve, interruptAfterMs))
    child.kill("SIGINT")
    const [code, signal] = await exited
    // Killed by the signal itself: the runtime's own handler could only have run after the run.
    expect({ code, signal }).toEqual({ code: null, signal: "SIGINT" })
    expect(output.join("")).toBe("")
  }, 180_000)
})
