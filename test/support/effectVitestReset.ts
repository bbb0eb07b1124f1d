/**
 * Run before every test file. The test files share one process (vitest.config.ts:
 * `isolate: false`), and @effect/vitest 0.30's `layer(...)` assigns its own `effect`,
 * `scoped`, `prop`, `flakyTest` and `layer` onto the shared `it`, bound to that layer's
 * runtime (without test services when the layer excludes them). Left so, a later file's
 * `it.effect` would run on another file's layer and live clock. This puts back the methods
 * as they were before any file ran.
 */
import { it } from "@effect/vitest"

const key = Symbol.for("knot/test/effectVitestMethods")
const holder = globalThis as { [key]?: Pick<typeof it, "effect" | "scoped" | "prop" | "flakyTest" | "layer"> }
holder[key] ??= { effect: it.effect, scoped: it.scoped, prop: it.prop, flakyTest: it.flakyTest, layer: it.layer }
Object.assign(it, holder[key])
