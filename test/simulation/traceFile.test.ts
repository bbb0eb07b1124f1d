import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { renderTraceFile, tracedRunOfFile, traceHashOfFile } from "../../simulations/trace.ts"

const run = promisify(execFile)
const knotBin = new URL("../../bin/knot.js", import.meta.url).pathname

describe("a trace file", () => {
  it("names the run it records on its first line, and its hash on its last", () => {
    const text = renderTraceFile({ scenario: "partition-heal", seed: 7, nodes: 5, links: "full-mesh" }, ["0 a\n", "1 b\n"], "abc123")
    expect(text.split("\n")[0]).toBe("# run scenario=partition-heal seed=7 nodes=5")
    expect(tracedRunOfFile(text)).toEqual({ scenario: "partition-heal", seed: 7, nodes: 5, links: "full-mesh" })
    expect(traceHashOfFile(text)).toBe("abc123")
  })

  it("of a run over connections kept by the view says so on its first line", () => {
    const text = renderTraceFile({ scenario: "long-partition", seed: 7, nodes: 64, links: "view" }, ["0 a\n"], "abc123")
    expect(text.split("\n")[0]).toBe("# run scenario=long-partition seed=7 nodes=64 links=view")
    expect(tracedRunOfFile(text)).toEqual({ scenario: "long-partition", seed: 7, nodes: 64, links: "view" })
  })

  it("from before it named its run, names none", () => {
    expect(tracedRunOfFile("0 a\n# trace=abc\n")).toBeUndefined()
  })

  it("replayed with another seed than it records says to use that one, not that the code changed", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "knot-trace-")), "run.trace")
    await run(process.execPath, [knotBin, "sim", "run", "--scenario", "partition-heal", "--seed", "3", "--trace", file])
    expect(tracedRunOfFile(readFileSync(file, "utf8"))?.seed).toBe(3)
    const replayed = await run(process.execPath, [knotBin, "sim", "replay", "--scenario", "partition-heal", "--seed", "4", "--trace", file])
      .then(() => ({ code: 0, stderr: "" }), (error: { code: number; stderr: string }) => error)
    expect(replayed.code).toBe(1)
    expect(replayed.stderr).toContain("it records --scenario partition-heal --seed 3 --nodes 5; replay it with those")
  }, 60_000)
})
