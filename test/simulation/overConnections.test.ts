import { describe, expect, it } from "@effect/vitest"
import type { SimulationOutcome } from "../../simulations/runSimulation.ts"
import { describeFailure, runSeeds, seedRange } from "./simulationFailure.ts"

/**
 * Past a full mesh a real cluster talks over its partial view's links alone (the Hyperswarm
 * transport's link keeper), and heals a partition by dialing again: the members each side
 * holds dead are probed, and the probe dials them. `links: "view"` runs the cluster so.
 */
const nodes = 64

const atOf = (line: string) => Number(line.slice(0, line.indexOf(" ")))

/** What the trace shows of the connections: how many were open when the split began, and which formed across it after the heal. */
const connectionsAround = (outcome: SimulationOutcome) => {
  const split = outcome.trace.find((line) => / partition /.test(line))
  const heal = outcome.trace.find((line) => / heal$/.test(line.trimEnd()))
  if (split === undefined || heal === undefined) throw new Error("the run has no partition and heal")
  const [one, other] = split.trimEnd().slice(split.indexOf("partition ") + "partition ".length).split(" | ")
  const sideOf = new Map<string, number>()
  for (const node of one!.split(",")) sideOf.set(node, 0)
  for (const node of other!.split(",")) sideOf.set(node, 1)
  let open = 0
  for (const line of outcome.trace) {
    if (atOf(line) >= atOf(split)) break
    if (/ connect /.test(line)) open++
    if (/ disconnect /.test(line)) open--
  }
  const across = outcome.trace.filter((line) => {
    const dial = / connect (\S+)>(\S+)$/.exec(line.trimEnd())
    return dial !== null && atOf(line) >= atOf(heal) && sideOf.get(dial[1]!) !== sideOf.get(dial[2]!)
  })
  const timedOut = outcome.trace.filter((line) => / disconnect .*: timed out$/.test(line.trimEnd()))
  return { perNodeAtSplit: (2 * open) / nodes, acrossAfterHeal: across.length, timedOut: timedOut.length }
}

describe(`a ${nodes}-node cluster over connections kept by its view`, () => {
  it("heals a long partition: down to its view's links before the split, it dials across again after the heal", async () => {
    const outcomes = await runSeeds({ scenario: "long-partition", nodes, links: "view", keepTrace: true }, seedRange(2))
    const failures = outcomes.filter((outcome) => !outcome.ok).map(describeFailure).join("\n")
    expect(failures, failures).toBe("")
    for (const outcome of outcomes) {
      const seen = connectionsAround(outcome)
      expect(seen.perNodeAtSplit).toBeLessThan(20)
      expect(seen.timedOut).toBeGreaterThan(0)
      expect(seen.acrossAfterHeal).toBeGreaterThan(0)
    }
  }, 300_000)

  it("finds a crashed node again once it restarts", async () => {
    const outcomes = await runSeeds({ scenario: "crash-restart", nodes, links: "view" }, seedRange(1))
    const failures = outcomes.filter((outcome) => !outcome.ok).map(describeFailure).join("\n")
    expect(failures, failures).toBe("")
  }, 300_000)
})
