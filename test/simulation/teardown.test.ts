import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runSimulation } from "../../simulations/runSimulation.ts"
import { forkedRoots } from "../../simulations/scheduler.ts"

describe("simulation teardown", () => {
  // A run ends without stopping its nodes (stopping them cost more than a small run): what
  // it leaves waiting must not stay reachable, or a fuzz thread keeps every seed it ran.
  it.effect("a run leaves none of its fibers in Effect's global fiber scope", () =>
    Effect.gen(function*() {
      const roots = forkedRoots()
      expect(roots).toBeInstanceOf(Set)
      const before = roots!.size
      for (const seed of [1, 2, 3]) {
        const outcome = yield* runSimulation({ seed, scenario: "crash-restart" })
        expect(outcome.ok).toBe(true)
        expect(roots!.size).toBe(before)
      }
    }))
})
