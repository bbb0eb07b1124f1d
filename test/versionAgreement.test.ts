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
