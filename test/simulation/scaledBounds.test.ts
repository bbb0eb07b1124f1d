import { describe, expect, it } from "@effect/vitest"
import { FaultStep, planEnd } from "../../simulations/faults.ts"
import { simulatedDetectionBoundMs } from "../../simulations/simulationGossip.ts"

describe("the checker's bounds at every size", () => {
  it("expects a crashed node of five seen dead within 10 s, as before bounds grew", () => {
    expect(simulatedDetectionBoundMs(5)).toBe(10_000)
  })

  it("grows the death-detection bound with the log of the cluster, not with the cluster", () => {
    expect(simulatedDetectionBoundMs(64)).toBeCloseTo(17_612, 0)
    expect(simulatedDetectionBoundMs(1000)).toBe(28_000)
  })

  it("stretches a plan's quiet period by log10 of the cluster beyond ten nodes", () => {
    const plan = { steps: [FaultStep.Heal({ at: 4000 })], quietMs: 8000 }
    expect(planEnd(plan, 5)).toBe(12_000)
    expect(planEnd(plan, 1000)).toBe(28_000)
  })

  it("stretches it once more over a partial view's links, and not at all for a small cluster", () => {
    const plan = { steps: [FaultStep.Heal({ at: 4000 })], quietMs: 8000 }
    expect(planEnd(plan, 1000, "view")).toBe(76_000)
    expect(planEnd(plan, 1000, "full-mesh")).toBe(28_000)
    expect(planEnd(plan, 5, "view")).toBe(12_000)
  })
})
