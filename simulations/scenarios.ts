/**
 * The named scenarios of `knot sim`. Each lays out its nodes in zones and writes a fault
 * plan from the seed: the shape of the plan is fixed, the seed picks times, nodes and keys.
 */
import { FaultStep, type FaultPlan, flakyOdds, randomWrites, type SimNodeSpec, sortSteps, swarmPlan } from "./faults.ts"
import { reliable } from "./network.ts"
import type { Prng } from "./prng.ts"

export interface Scenario {
  readonly name: string
  readonly summary: string
  readonly defaultNodes: number
  readonly minNodes: number
  /** The zone of each of `count` nodes. */
  readonly zones: (count: number) => ReadonlyArray<string>
  readonly plan: (prng: Prng, nodes: ReadonlyArray<SimNodeSpec>) => FaultPlan
}

const oneZone = (count: number) => Array.from({ length: count }, () => "zone-a")

const threeZones = (count: number) => Array.from({ length: count }, (_, i) => ["zone-a", "zone-b", "zone-c"][i % 3]!)

const ids = (nodes: ReadonlyArray<SimNodeSpec>) => nodes.map((node) => node.id)

const partitionHeal: Scenario = {
  name: "partition-heal",
  summary: "the cluster splits 3/2 (in proportion for other sizes), both sides take writes, then heals",
  defaultNodes: 5,
  minNodes: 2,
  zones: oneZone,
  plan: (prng, nodes) => {
    const all = ids(nodes)
    const cut = Math.max(1, Math.min(all.length - 1, Math.round((all.length * 3) / 5)))
    const shuffled = prng.shuffle(all)
    const sides = [shuffled.slice(0, cut), shuffled.slice(cut)] as const
    const splitAt = 800
    const healAt = splitAt + prng.between(3000, 4000)
    return {
      steps: sortSteps([
        ...randomWrites(prng, all, 2, 200, splitAt),
        FaultStep.Partition({ at: splitAt, sides }),
        ...randomWrites(prng, sides[0], 3, splitAt + 100, healAt, 3),
        ...randomWrites(prng, sides[1], 3, splitAt + 100, healAt, 3),
        FaultStep.Heal({ at: healAt })
      ]),
      quietMs: 8000
    }
  }
}

const crashRestart: Scenario = {
  name: "crash-restart",
  summary: "a node crashes, stays down until every other node has declared it dead, then restarts from its disk",
  defaultNodes: 5,
  minNodes: 3,
  zones: oneZone,
  plan: (prng, nodes) => {
    const all = ids(nodes)
    const victim = prng.pick(all)
    const crashAt = prng.between(1500, 3000)
    // Down past the failure-detection bound (runSimulation's deadDetectionBoundMs), so that
    // the checker sees every live node declare it dead.
    const restartAt = crashAt + prng.between(11_000, 12_500)
    return {
      steps: sortSteps([
        ...randomWrites(prng, all, 3, 300, crashAt),
        FaultStep.Crash({ at: crashAt, node: victim }),
        ...randomWrites(prng, all.filter((node) => node !== victim), 3, crashAt + 100, restartAt),
        FaultStep.Restart({ at: restartAt, node: victim }),
        ...randomWrites(prng, all, 2, restartAt + 500, restartAt + 2000)
      ]),
      quietMs: 10_000
    }
  }
}

const flakyNetwork: Scenario = {
  name: "flaky-network",
  summary: "20 % of frames dropped, 10 % duplicated, 20 % reordered while writes flow, then the network recovers",
  defaultNodes: 5,
  minNodes: 2,
  zones: oneZone,
  plan: (prng, nodes) => {
    const all = ids(nodes)
    const until = prng.between(6000, 8000)
    return {
      steps: sortSteps([
        FaultStep.Flaky({ at: 200, faults: flakyOdds }),
        ...randomWrites(prng, all, 8, 500, until),
        FaultStep.Flaky({ at: until, faults: reliable })
      ]),
      quietMs: 10_000
    }
  }
}

const zoneIsolated: Scenario = {
  name: "zone-isolated",
  summary: "a whole zone loses contact with the others, both sides take writes, then it comes back",
  defaultNodes: 6,
  minNodes: 3,
  zones: threeZones,
  plan: (prng, nodes) => {
    const all = ids(nodes)
    const zone = prng.pick([...new Set(nodes.map((node) => node.zone))])
    const inside = nodes.filter((node) => node.zone === zone).map((node) => node.id)
    const outside = all.filter((node) => !inside.includes(node))
    const isolateAt = 1000
    const healAt = isolateAt + prng.between(3000, 4500)
    return {
      steps: sortSteps([
        ...randomWrites(prng, all, 2, 300, isolateAt),
        FaultStep.IsolateZone({ at: isolateAt, zone }),
        ...randomWrites(prng, inside, 2, isolateAt + 200, healAt, 3),
        ...randomWrites(prng, outside, 3, isolateAt + 200, healAt, 3),
        FaultStep.Heal({ at: healAt })
      ]),
      quietMs: 12_000
    }
  }
}

const swarm: Scenario = {
  name: "swarm",
  summary: "the seed picks which kinds of fault are on, then a run of them with writes throughout",
  defaultNodes: 5,
  minNodes: 3,
  zones: threeZones,
  plan: (prng, nodes) => swarmPlan(prng, nodes, { episodes: 3, writes: 10, quietMs: 15_000 })
}

export const scenarios: ReadonlyArray<Scenario> = [partitionHeal, crashRestart, flakyNetwork, zoneIsolated, swarm]

export const scenarioNames: ReadonlyArray<string> = scenarios.map((scenario) => scenario.name)

export const findScenario = (name: string): Scenario | undefined => scenarios.find((scenario) => scenario.name === name)
