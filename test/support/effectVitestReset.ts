/**
 * Run before every test file. The test files share one process (vitest.config.ts:
 * `isolate: false`), and @effect/vitest 0.30's `layer(...)` rebinds the methods of the
 * shared `it` (`it.effect` and the rest) to that layer's runtime, without test services
 * when the layer excludes them. Left so, a later file's `it.effect` would run on another
 * file's layer and live clock. This puts back the methods as they were before any file ran.
 */
import { it } from "@effect/vitest"

const rebound = ["effect", "scoped", "live", "scopedLive", "prop", "flakyTest", "layer"] as const
type Methods = Pick<typeof it, (typeof rebound)[number]>

const key = Symbol.for("knot/test/effectVitestMethods")
const holder = globalThis as { [key]?: Methods }
const first = holder[key]
if (first === undefined) {
  holder[key] = Object.fromEntries(rebound.map((name) => [name, it[name]])) as unknown as Methods
} else {
  Object.assign(it, first)
}
