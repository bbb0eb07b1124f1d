import { describe, expect, it } from "@effect/vitest"
import type { StoreShape } from "../../storage/store.ts"
import { acceptanceSeeds } from "./acceptanceSeeds.ts"
import { describeFailure, runSeeds, seedRange } from "./simulationFailure.ts"

describe("a leaf and its origin", () => {
  for (const scenario of ["leaf-offline", "leaf-origin-crash", "leaf-byzantine", "two-leaves"]) {
    it(`converge with no local change lost over ${acceptanceSeeds} seeds of ${scenario}`, async () => {
      const outcomes = await runSeeds({ scenario }, seedRange(acceptanceSeeds))
      const failures = outcomes.filter((outcome) => !outcome.ok).map(describeFailure).join("\n")
      expect(failures, failures).toBe("")
    }, 600_000)
  }

  it("converge when the leaf is added again while it is cut off, and it is sent its share anew", async () => {
    const outcomes = await runSeeds({ scenario: "leaf-offline", keepTrace: true }, seedRange(8))
    const readded = outcomes.filter((outcome) =>
      outcome.trace.filter((line) => line.includes("leaf l1's share changed")).length >= 2)
    expect(readded.length).toBeGreaterThan(0)
    const failures = readded.filter((outcome) => !outcome.ok).map(describeFailure).join("\n")
    expect(failures, failures).toBe("")
  })

  // Each once sent the leaf a watermark past a space's state withheld because its space had not reached the origin yet.
  it("give the leaf a space's state that reached its origin before the space did", async () => {
    const outcomes = await runSeeds({ scenario: "leaf-origin-crash" }, [12023, 12895, 13397, 13955])
    const failures = outcomes.filter((outcome) => !outcome.ok).map(describeFailure).join("\n")
    expect(failures, failures).toBe("")
  })
})

/** A leaf's store that takes a delta's watermarks but not the space states it carries: what the origin's bug did to it. */
const leafLosesSpaceStates = (store: StoreShape): StoreShape =>
  store.nodeId !== "l1" ? store : {
    ...store,
    applyDelta: (delta) =>
      store.applyDelta({ ...delta, records: delta.records.filter((record) => record.kind !== "space-status") })
  }

describe("the invariant checker, on a leaf", () => {
  it("catches a leaf that lacks what its origin shares with it under the same digest", async () => {
    const outcomes = await runSeeds({ scenario: "leaf-offline", wrapStore: leafLosesSpaceStates }, seedRange(3))
    const caught = outcomes.flatMap((outcome) => outcome.violations.map((violation) => violation.detail))
    expect(caught.length).toBeGreaterThan(0)
    expect(caught.some((detail) => detail.startsWith("l1 holds other records than n1's records for it"))).toBe(true)
  })
})
