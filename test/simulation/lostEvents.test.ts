import { describe, expect, it } from "@effect/vitest"
import { Stream } from "effect"
import type { ContainerDriverShape } from "../../effects/container/containerDriver.ts"
import { describeFailure, runSeeds, seedRange } from "./simulationFailure.ts"

/**
 * A driver that hides from the node that its event stream was lost: after the first
 * subscription, the stream no longer says it follows anew, so the node never checks its
 * spaces for what happened in the gap. The checker must notice.
 */
const hidesLostStreams = (driver: ContainerDriverShape): ContainerDriverShape => {
  let subscriptions = 0
  return {
    ...driver,
    events: (labels) =>
      Stream.suspend(() =>
        ++subscriptions === 1
          ? driver.events(labels)
          : driver.events(labels).pipe(Stream.filter((event) => event._tag !== "Following"))
      )
  }
}

describe("the invariant checker, on engines that restart", () => {
  it("catches a node that does not check its spaces once its lost event stream is back", async () => {
    const outcomes = await runSeeds({ scenario: "engine-restarts", wrapDriver: hidesLostStreams }, seedRange(4))
    const caught = outcomes.flatMap((outcome) => outcome.violations.map((violation) => violation.invariant))
    expect(caught.length).toBeGreaterThan(0)
    expect(caught.every((invariant) => invariant === "space-settled")).toBe(true)
  })

  it("passes the same seeds with the real driver", async () => {
    const outcomes = await runSeeds({ scenario: "engine-restarts" }, seedRange(4))
    expect(outcomes.filter((outcome) => !outcome.ok).map(describeFailure)).toEqual([])
  })
})
