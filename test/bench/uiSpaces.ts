/**
 * The web UI's figures: the bundle a first visit loads (raw and gzip, as served), the
 * terminal's chunk loaded on demand, and how long headless Chromium takes from opening the
 * spaces page to showing 1 000 spaces from the change feed. Printed, never asserted.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { makeTestApiOf, TestApi } from "../http/apiHarness.ts"
import { apiCall, chromiumAvailable, ensureUiBuilt, launchBrowser, signIn } from "../ui/browserHarness.ts"
import { scaled } from "./benchScale.ts"

const SPACES = scaled(1000, 50)
const RUNS = scaled(3, 1)
const ui = fileURLToPath(new URL("../../dist/ui/", import.meta.url))

ensureUiBuilt()
const manifest = JSON.parse(readFileSync(join(ui, "manifest.json"), "utf8")) as { firstLoad: ReadonlyArray<string> }
const sizeOf = (files: ReadonlyArray<string>) => ({
  raw: files.reduce((sum, file) => sum + statSync(join(ui, file)).size, 0),
  gzip: files.reduce((sum, file) => sum + statSync(join(ui, `${file}.gz`)).size, 0)
})
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
const scripts = manifest.firstLoad.filter((file) => file.endsWith(".js"))
const first = sizeOf(manifest.firstLoad)
const firstJs = sizeOf(scripts)
const terminal = sizeOf(
  readdirSync(join(ui, "assets"))
    .filter((name) => name.startsWith("terminal-") && name.endsWith(".js")).map((name) => `assets/${name}`)
)
console.log(`web UI first load: JS ${kb(firstJs.raw)} raw, ${kb(firstJs.gzip)} gzip; with CSS ${kb(first.raw)} raw, ${kb(first.gzip)} gzip`)
console.log(`web UI terminal chunk (on demand): ${kb(terminal.raw)} raw, ${kb(terminal.gzip)} gzip`)

if (!chromiumAvailable) {
  console.log("no /usr/bin/chromium: the 1 000 spaces figure is not measured")
} else {
  await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const api = yield* TestApi
    yield* Effect.promise(async () => {
      await apiCall(api.url, api.adminToken, "POST", "/api/templates", { name: "bench", image: "knot-busybox:latest" })
      const admin = (await apiCall(api.url, api.adminToken, "GET", "/api/users/me")).name
      await apiCall(api.url, api.adminToken, "PUT", `/api/users/${admin}/password`, { password: "bench password" })
      for (let i = 0; i < SPACES; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, j) =>
          apiCall(api.url, api.adminToken, "POST", "/api/spaces", { name: `s${i + j}`, template: "bench" })))
      }
      const browser = await launchBrowser()
      try {
        await signIn(browser.page, api.url, admin, "bench password")
        // Each run is a fresh document: a hash change on the signed-in page would reuse the feed it holds.
        await browser.page.goto("about:blank")
        const times: Array<number> = []
        for (let run = 0; run < RUNS; run++) {
          const started = performance.now()
          await browser.page.goto(`${api.url}/#/spaces`)
          await browser.page.locator(`table.spaces[data-count="${SPACES}"]`).waitFor({ timeout: 60_000 })
          times.push(performance.now() - started)
          await browser.page.goto("about:blank")
        }
        console.log(`web UI spaces page showing ${SPACES} spaces (load, sign-in check, feed, render): ${times.map((t) => `${t.toFixed(0)} ms`).join(", ")}`)
      } finally {
        await browser.close()
      }
    })
  }).pipe(Effect.provide(makeTestApiOf()))))
}
