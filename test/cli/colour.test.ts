import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { wantsColour } from "../../cli/colourless.ts"

const run = promisify(execFile)
const knotBin = new URL("../../bin/knot.js", import.meta.url).pathname

describe("colour in the CLI's output", () => {
  it("is wanted on a terminal only, and never with NO_COLOR set", () => {
    expect(wantsColour({ isTTY: true }, {})).toBe(true)
    expect(wantsColour({ isTTY: false }, {})).toBe(false)
    expect(wantsColour({}, {})).toBe(false)
    expect(wantsColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false)
  })

  it("is left out of help written to a pipe", async () => {
    const { stdout } = await run(process.execPath, [knotBin, "space", "--help"])
    expect(stdout).toContain("Usage: knot space COMMAND")
    expect(stdout).not.toContain("\u001b[")
  }, 30_000)
})
