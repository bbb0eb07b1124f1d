import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { OpenApi } from "@effect/platform"
import { expect, it } from "vitest"
import { KnotApi } from "../effects/http/api.ts"
import { knotVersion } from "../effects/version.ts"

it("the CLI, the API's OpenAPI document and package.json state one version", () => {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { readonly version: string }
  expect(knotVersion).toBe(manifest.version)
  expect(OpenApi.fromApi(KnotApi).info.version).toBe(manifest.version)
})

it("knot --version answers the package's version without loading the CLI", () => {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { readonly version: string }
  const printed = execFileSync(process.execPath, [new URL("../bin/knot.js", import.meta.url).pathname, "--version"], { encoding: "utf8" })
  expect(printed.trim()).toBe(manifest.version)
})
