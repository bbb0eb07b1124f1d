import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")

describe("README", () => {
  it("shows the embedding example exactly as the test that runs it", () => {
    const example = readFileSync(new URL("./embedding.example.test.ts", import.meta.url), "utf8")
    expect(readme).toContain(example.replace('from "../actors/index.ts"', 'from "knot/actors"').trimEnd())
  })

  it("starts with the command that runs a node and the command that runs the tests", () => {
    const commands = [...readme.matchAll(/```sh\n([^`]+)```/g)].slice(0, 2).map((m) => m[1]?.trim())
    expect(commands).toEqual(["npm ci && npm link && knot server", "npm ci && npm test"])
  })
})
