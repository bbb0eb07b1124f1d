import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { StoredRecord } from "../../storage/record.ts"
import type { StoreShape } from "../../storage/store.ts"
import { describeFailure, runSeeds, seedRange } from "./simulationFailure.ts"

/**
 * A store that breaks the merge rule on purpose: the first write of a key that it holds wins
 * over every later one, whatever their versions. The checker must notice.
 */
const firstWriterWins = (store: StoreShape): StoreShape => {
  const unseen = (record: StoredRecord) => Effect.map(store.get(record.kind, record.id), (held) => held === undefined)
  return {
    ...store,
    merge: (record) => Effect.flatMap(unseen(record), (fresh) => (fresh ? store.merge(record) : Effect.succeed("ignored"))),
    applyDelta: (delta) =>
      Effect.flatMap(Effect.filter(delta.records, unseen), (records) => store.applyDelta({ ...delta, records }))
  }
}

describe("the invariant checker", () => {
  it("catches a store where the first writer wins instead of the last", async () => {
    const outcomes = await runSeeds({ scenario: "partition-heal", wrapStore: firstWriterWins }, seedRange(4))
    const caught = outcomes.flatMap((outcome) => outcome.violations.map((violation) => violation.invariant))
    expect(caught.length).toBeGreaterThan(0)
    expect(caught.every((invariant) => invariant === "converged" || invariant === "acknowledged-write")).toBe(true)
  })

  it("passes the same seeds with the real store", async () => {
    const outcomes = await runSeeds({ scenario: "partition-heal" }, seedRange(4))
    expect(outcomes.filter((outcome) => !outcome.ok).map(describeFailure)).toEqual([])
  })
})
