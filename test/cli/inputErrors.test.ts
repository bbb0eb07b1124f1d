import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestApi } from "../http/apiHarness.ts"
import { runKnot } from "./cliHarness.ts"
import { cliTestNode, freshConfigPath } from "./cliEnvironment.ts"

layer(cliTestNode, { excludeTestServices: true })("input the API's schema refuses", (it) => {
  it.effect("a space name that is not a slug is one line saying what a name must be, not a version mismatch", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const environment = { KNOT_SERVER: api.url, KNOT_TOKEN: api.adminToken, KNOT_CONFIG: freshConfigPath() }
      for (const name of ["my space", "Alice-Dev", "café", "a".repeat(200)]) {
        const run = yield* runKnot(["space", "create", name, "--template", "web"], environment)
        expect(run.exitCode).toBe(1)
        expect(run.stderr).toBe(
          `error: name: a space name must be 1 to 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit (got ${
            JSON.stringify(name)
          })`
        )
      }
    }))
})
