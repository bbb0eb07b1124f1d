/**
 * The named scenarios of `knot sim`. Each lays out its nodes in zones and writes a fault
 * plan from the seed: the shape of the plan is fixed, the seed picks times, nodes and keys.
 */
import { FaultStep, type FaultPlan, flakyOdds, randomWrites, type SimNodeSpec, sortSteps, swarmPlan } from "./faults.ts"
import { reliable } from "./network.ts"
import { simulatedDetectionBoundMs } from "./simulationGossip.ts"
import type { Prng } from "./prng.ts"
import { clusterOnlyOwner, formerLeafUser, simulatedOwner } from "./cluster.ts"

export interface Scenario {
  readonly name: string
  readonly summary: string
  readonly defaultNodes: number
  readonly minNodes: number
  /** The zone of each of `count` cluster nodes. */
  readonly zones: (count: number) => ReadonlyArray<string>
  /** Leaf nodes besides them, each linked to one cluster node; none when absent. */
  readonly leaves?: number
  readonly plan: (prng: Prng, nodes: ReadonlyArray<SimNodeSpec>) => FaultPlan
}

const oneZone = (count: number) => Array.from({ length: count }, () => "zone-a")

const threeZones = (count: number) => Array.from({ length: count }, (_, i) => ["zone-a", "zone-b", "zone-c"][i % 3]!)

const ids = (nodes: ReadonlyArray<SimNodeSpec>) => nodes.map((node) => node.id)

/**
 * The cluster splits 3/2 (in proportion for other sizes) at `splitAt` for `lasts` ms, both
 * sides take writes, then it heals.
 */
const splitPlan = (
  prng: Prng,
  nodes: ReadonlyArray<SimNodeSpec>,
  splitAt: (prng: Prng) => number,
  lasts: (prng: Prng) => number
): FaultPlan => {
  const all = ids(nodes)
  const cut = Math.max(1, Math.min(all.length - 1, Math.round((all.length * 3) / 5)))
  const shuffled = prng.shuffle(all)
  const sides = [shuffled.slice(0, cut), shuffled.slice(cut)] as const
  const split = splitAt(prng)
  const healAt = split + lasts(prng)
  return {
    steps: sortSteps([
      ...randomWrites(prng, all, 2, 200, split),
      FaultStep.Partition({ at: split, sides }),
      ...randomWrites(prng, sides[0], 3, split + 100, healAt, 3),
      ...randomWrites(prng, sides[1], 3, split + 100, healAt, 3),
      FaultStep.Heal({ at: healAt })
    ]),
    quietMs: 8000
  }
}

const partitionHeal: Scenario = {
  name: "partition-heal",
  summary: "the cluster splits 3/2 (in proportion for other sizes), both sides take writes, then heals",
  defaultNodes: 5,
  minNodes: 2,
  zones: oneZone,
  plan: (prng, nodes) => splitPlan(prng, nodes, () => 800, (draw) => draw.between(3000, 4000))
}

/**
 * A split that starts once the cluster has settled (over `--links view`, once each node has
 * closed the connections its view does not want) and lasts past both a connection's timeout
 * and the members' suspicion: each side holds the other dead and has lost its connections to
 * it, so after the heal the sides must find each other again (over `--links view`, by dialing
 * the members they hold dead when they probe them).
 */
const longPartition: Scenario = {
  name: "long-partition",
  summary: "the cluster settles, then splits 3/2 for 8-10 s, past a connection's timeout and every suspicion, then heals",
  defaultNodes: 5,
  minNodes: 2,
  zones: oneZone,
  plan: (prng, nodes) => splitPlan(prng, nodes, (draw) => draw.between(7000, 9000), (draw) => draw.between(8000, 10000))
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
    // Down past the failure-detection bound, so that the checker sees every live node
    // declare it dead.
    const restartAt = crashAt + simulatedDetectionBoundMs(all.length) + prng.between(1000, 2500)
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

const twoZones = (count: number) => Array.from({ length: count }, (_, i) => ["zone-a", "zone-b"][i % 2]!)

/** Space requests, each followed now and then by a crash of the space's owner in mid-step. */
const spaceCrashes: Scenario = {
  name: "space-crashes",
  summary: "spaces are created, stopped, started and deleted while their owners crash during create and start",
  defaultNodes: 4,
  minNodes: 2,
  zones: twoZones,
  plan: (prng, nodes) => {
    const all = ids(nodes)
    const steps: Array<FaultStep> = [FaultStep.PutTemplate({ at: 200, node: prng.pick(all), name: "dev", image: "busybox" })]
    // The engine takes 20–250 ms to create and 10–150 ms to start, and the request reaches
    // the owner within 40 ms: a crash 0–600 ms after the request lands before, in or after them.
    const crashSoonAfter = (at: number, space: string) =>
      prng.chance(0.75)
        ? [FaultStep.CrashOwner({ at: at + prng.between(0, 600), space, downMs: prng.between(300, 6000) })]
        : []
    const spaces = Array.from({ length: 6 }, (_, i) => `s${i}`)
    let at = 1000
    for (const space of spaces) {
      at += prng.between(800, 2500)
      steps.push(FaultStep.CreateSpace({ at, node: prng.pick(all), space, template: "dev" }), ...crashSoonAfter(at, space))
    }
    for (let n = 0; n < 8; n++) {
      const when = prng.between(3000, at + 4000)
      const space = prng.pick(spaces)
      const request = prng.pick(["start", "start", "stop", "stop", "delete"] as const)
      steps.push(FaultStep.SpaceRequest({ at: when, node: prng.pick(all), space, request }), ...crashSoonAfter(when, space))
    }
    return { steps: sortSteps(steps), quietMs: 20_000 }
  }
}

/**
 * Engines restart under running spaces. Their containers exit with no event told, so only
 * the full check that follows every re-subscription of the engine's events brings them back
 * within the quiet period: the periodic reconcile (minutes) comes far too late.
 */
const engineRestarts: Scenario = {
  name: "engine-restarts",
  summary: "spaces run while their owners' container engines restart, ending the event streams knot follows",
  defaultNodes: 3,
  minNodes: 1,
  zones: oneZone,
  plan: (prng, nodes) => {
    const all = ids(nodes)
    const spaces = Array.from({ length: 4 }, (_, i) => `s${i}`)
    const steps: Array<FaultStep> = [FaultStep.PutTemplate({ at: 200, node: prng.pick(all), name: "dev", image: "busybox" })]
    let at = 800
    for (const space of spaces) {
      at += prng.between(300, 900)
      steps.push(FaultStep.CreateSpace({ at, node: prng.pick(all), space, template: "dev" }))
    }
    for (let n = 0; n < 4; n++) {
      const when = at + prng.between(1000, 6000)
      steps.push(FaultStep.RestartOwnersEngine({ at: when, space: prng.pick(spaces) }))
      if (prng.chance(0.5)) {
        const request = prng.pick(["start", "stop"] as const)
        steps.push(FaultStep.SpaceRequest({ at: when + prng.between(0, 400), node: prng.pick(all), space: prng.pick(spaces), request }))
      }
    }
    return { steps: sortSteps(steps), quietMs: 15_000 }
  }
}

/**
 * Requests for the same spaces on both sides of a partition: each side's owner-less requests
 * wait, the sides' records meet at the heal, and the owner carries out the one that wins.
 */
const spacePartition: Scenario = {
  name: "space-partition",
  summary: "the cluster splits while users on both sides create, stop, start and delete spaces, then heals",
  defaultNodes: 4,
  minNodes: 2,
  zones: twoZones,
  plan: (prng, nodes) => {
    const all = ids(nodes)
    const shuffled = prng.shuffle(all)
    const cut = prng.between(1, all.length - 1)
    const sides = [shuffled.slice(0, cut), shuffled.slice(cut)] as const
    const splitAt = 6000
    const healAt = splitAt + prng.between(5000, 10_000)
    const spaces = ["s0", "s1", "s2", "s3"]
    const steps: Array<FaultStep> = [
      FaultStep.PutTemplate({ at: 200, node: prng.pick(all), name: "dev", image: "busybox" }),
      ...spaces.map((space, i) =>
        FaultStep.CreateSpace({ at: 1000 + i * prng.between(500, 1000), node: prng.pick(all), space, template: "dev" })
      ),
      FaultStep.Partition({ at: splitAt, sides }),
      // The same name created on both sides: two spaces that did not see each other, both kept
      // after the heal (the later shown as p-2), neither container removed.
      ...sides.map((side) =>
        FaultStep.CreateSpace({ at: prng.between(splitAt + 200, healAt - 200), node: prng.pick(side), space: "p", template: "dev" })
      ),
      ...Array.from({ length: 8 }, () =>
        FaultStep.SpaceRequest({
          at: prng.between(splitAt + 200, healAt - 200),
          node: prng.pick(prng.pick(sides)),
          space: prng.pick(spaces),
          request: prng.pick(["start", "stop", "stop", "start", "delete"] as const)
        })
      ),
      FaultStep.Heal({ at: healAt })
    ]
    return { steps: sortSteps(steps), quietMs: 20_000 }
  }
}

/** The cluster nodes of a layout and their zone, and its leaf number `index` (the first by default) with its origin. */
const leafLayout = (nodes: ReadonlyArray<SimNodeSpec>, index = 0) => {
  const leaf = nodes.filter((node) => node.origin !== undefined)[index]!
  const cluster = nodes.filter((node) => node.origin === undefined)
  return { cluster: cluster.map((node) => node.id), zone: cluster[0]!.zone, leaf: leaf.id, origin: leaf.origin! }
}

/**
 * What a leaf's developer does while cut off, and the cluster meanwhile: templates change on
 * the cluster, spaces are created, stopped and started on the leaf (from its cached
 * templates), and the leaf itself may restart, all between `from` and `to`.
 */
const offlineWork = (
  prng: Prng,
  layout: ReturnType<typeof leafLayout>,
  from: number,
  to: number
): Array<FaultStep> => {
  const { cluster, leaf } = layout
  const steps: Array<FaultStep> = []
  for (let n = 0; n < 3; n++) {
    const name = prng.pick(["dev", "web"])
    // `web` may be limited to the cluster's zone, after the leaf held it: the leaf must drop it.
    const limited = name === "web" && prng.chance(0.5) ? { zones: [layout.zone] } : {}
    steps.push(FaultStep.PutTemplate({ at: prng.between(from, to), node: prng.pick(cluster), name, image: `busybox:${n}`, ...limited }))
  }
  const created = ["a1", "a2"]
  for (const space of created) {
    steps.push(FaultStep.CreateSpace({ at: prng.between(from, to - 2000), node: leaf, space, template: "dev" }))
  }
  for (let n = 0; n < 3; n++) {
    const request = prng.pick(["stop", "start"] as const)
    steps.push(FaultStep.SpaceRequest({ at: prng.between(from, to), node: leaf, space: prng.pick(["a0", ...created]), request }))
  }
  // The cluster creates a name the leaf creates too while they do not see each other: both are kept.
  steps.push(FaultStep.CreateSpace({ at: prng.between(from, to), node: prng.pick(cluster), space: "c0", template: "dev" }))
  steps.push(FaultStep.CreateSpace({ at: prng.between(from, to), node: prng.pick(cluster), space: prng.pick(created), template: "dev" }))
  // A user no leaf serves, under a name the leaf's user has too: the leaf gets none of it.
  steps.push(
    FaultStep.CreateSpace({ at: prng.between(from, to), node: prng.pick(cluster), space: "a0", template: "dev", owner: clusterOnlyOwner })
  )
  if (prng.chance(0.5)) {
    const crashAt = prng.between(from, to - 6000)
    steps.push(FaultStep.Crash({ at: crashAt, node: leaf }), FaultStep.Restart({ at: crashAt + prng.between(500, 5000), node: leaf }))
  }
  // An admin adds the leaf again meanwhile, without the user it served besides: a new version
  // of its record, anywhere in the cluster.
  if (prng.chance(0.5)) steps.push(addLeaf(layout, prng.between(from, to), prng.pick(cluster), 1, [simulatedOwner]))
  // An admin's write of the leaf's record in a form this version cannot read (a newer
  // version's, say, which still dates its credential as the re-add above does): its origin
  // refuses what the leaf writes until the leaf is added again after the outage, and must take
  // it then.
  if (prng.chance(0.5)) {
    steps.push(
      FaultStep.Write({
        at: prng.between(from, to),
        node: prng.pick(cluster),
        kind: "leaf",
        id: leaf,
        value: { users: "all", verifier: 0, createdAt: 1 }
      }),
      addLeaf(layout, to + prng.between(1000, 4000), prng.pick(cluster), 2, [simulatedOwner])
    )
  }
  return steps
}

/**
 * The leaf's record, as `knot leaf add` writes it on its origin: the leaf is sent it, and
 * each new version makes it forget its watermarks and be sent its share again.
 */
const addLeaf = (
  layout: ReturnType<typeof leafLayout>,
  at: number,
  node: string,
  createdAt: number,
  users: ReadonlyArray<string>
) =>
  FaultStep.Write({
    at,
    node,
    kind: "leaf",
    id: layout.leaf,
    value: { users, zone: layout.zone, verifier: "ab".repeat(32), createdAt }
  })

/** The leaf added for its user and one more, as `knot leaf add` does on its origin. */
const addLeafAtStart = (layout: ReturnType<typeof leafLayout>) =>
  addLeaf(layout, 100, layout.origin, 0, [simulatedOwner, formerLeafUser])

/**
 * Before any fault: the leaf added, a template on the cluster, the other user's account and
 * space there, and a space on the leaf once it has it.
 */
const leafSetup = (prng: Prng, layout: ReturnType<typeof leafLayout>): Array<FaultStep> => [
  addLeafAtStart(layout),
  FaultStep.PutTemplate({ at: 200, node: prng.pick(layout.cluster), name: "dev", image: "busybox" }),
  FaultStep.Write({ at: 300, node: prng.pick(layout.cluster), kind: "user", id: formerLeafUser, value: { name: formerLeafUser, role: "user" } }),
  FaultStep.CreateSpace({ at: prng.between(2000, 3000), node: prng.pick(layout.cluster), space: "b0", template: "dev", owner: formerLeafUser }),
  FaultStep.CreateSpace({ at: prng.between(4000, 5000), node: layout.leaf, space: "a0", template: "dev" })
]

/**
 * A leaf scenario: setup, then an outage of the leaf's link from `startAt` for `lasts` ms
 * (what `outage` makes of it: its first step and the step that ends it), with offline work
 * in between, then a quiet period in which both sides must converge.
 */
const leafScenario = (
  name: string,
  summary: string,
  lasts: readonly [number, number],
  outage: (layout: ReturnType<typeof leafLayout>, from: number, to: number) => readonly [FaultStep, FaultStep]
): Scenario => ({
  name,
  summary,
  defaultNodes: 3,
  minNodes: 2,
  zones: oneZone,
  leaves: 1,
  plan: (prng, nodes) => {
    const layout = leafLayout(nodes)
    const from = prng.between(6000, 7000)
    const to = from + prng.between(lasts[0], lasts[1])
    return {
      steps: sortSteps([
        ...leafSetup(prng, layout),
        ...outage(layout, from, to),
        ...offlineWork(prng, layout, from + 500, to - 500)
      ]),
      quietMs: 20_000
    }
  }
})

const leafOffline = leafScenario(
  "leaf-offline",
  "a leaf is cut off from its origin for a long time while templates change on the cluster and spaces on the leaf, then heals",
  [20_000, 40_000],
  ({ leaf }, from, to) => [FaultStep.Isolate({ at: from, node: leaf }), FaultStep.Heal({ at: to })]
)

const leafOriginCrash = leafScenario(
  "leaf-origin-crash",
  "a leaf's origin crashes and stays down while the leaf and the rest of the cluster work on, then restarts",
  [15_000, 30_000],
  ({ origin }, from, to) => [FaultStep.Crash({ at: from, node: origin }), FaultStep.Restart({ at: to, node: origin })]
)

const leafFlaky = leafScenario(
  "leaf-flaky",
  "every link, the leaf's included, drops, duplicates and reorders frames while the leaf and the cluster work on, then recovers",
  [15_000, 30_000],
  (_, from, to) => [FaultStep.Flaky({ at: from, faults: flakyOdds }), FaultStep.Flaky({ at: to, faults: reliable })]
)

const leafByzantine: Scenario = {
  name: "leaf-byzantine",
  summary:
    "a compromised leaf sends its origin records outside its authority, far-future versions and watermarks, and hellos for other ids, while it and the cluster work on",
  defaultNodes: 3,
  minNodes: 2,
  zones: oneZone,
  leaves: 1,
  plan: (prng, nodes) => {
    const layout = leafLayout(nodes)
    const from = prng.between(6000, 7000)
    const to = from + prng.between(10_000, 20_000)
    const attacks = [0, 1, 2].map(() => FaultStep.Byzantine({ at: prng.between(from, to), leaf: layout.leaf }))
    return {
      steps: sortSteps([...leafSetup(prng, layout), ...attacks, ...offlineWork(prng, layout, from, to)]),
      quietMs: 20_000
    }
  }
}

/**
 * Two leaves of the same user on different origins: what one does must reach the other
 * through both origins, names the two create apart meet, and one leaf is cut off or loses
 * its origin for a while.
 */
const twoLeaves: Scenario = {
  name: "two-leaves",
  summary:
    "two leaves of one user on different origins work on spaces of the same names while one is cut off or the other's origin crashes, then all heal",
  defaultNodes: 3,
  minNodes: 2,
  zones: oneZone,
  leaves: 2,
  plan: (prng, nodes) => {
    const first = leafLayout(nodes, 0)
    const second = leafLayout(nodes, 1)
    const from = prng.between(6000, 7000)
    const to = from + prng.between(15_000, 30_000)
    const outage = prng.chance(0.5)
      ? [FaultStep.Isolate({ at: from, node: first.leaf }), FaultStep.Heal({ at: to })]
      : [FaultStep.Crash({ at: from, node: second.origin }), FaultStep.Restart({ at: to, node: second.origin })]
    return {
      steps: sortSteps([
        ...leafSetup(prng, first),
        addLeafAtStart(second),
        FaultStep.CreateSpace({ at: prng.between(4000, 5000), node: second.leaf, space: "a0", template: "dev" }),
        ...outage,
        ...offlineWork(prng, first, from + 500, to - 500),
        ...offlineWork(prng, second, from + 500, to - 500)
      ]),
      quietMs: 20_000
    }
  }
}

export const scenarios: ReadonlyArray<Scenario> = [
  partitionHeal,
  longPartition,
  crashRestart,
  flakyNetwork,
  zoneIsolated,
  swarm,
  spaceCrashes,
  spacePartition,
  engineRestarts,
  leafOffline,
  leafOriginCrash,
  leafFlaky,
  leafByzantine,
  twoLeaves
]

export const scenarioNames: ReadonlyArray<string> = scenarios.map((scenario) => scenario.name)

/** The scenarios of cluster nodes alone, no leaf: those that must hold at any cluster size. */
export const clusterScenarios: ReadonlyArray<Scenario> = scenarios.filter((scenario) => (scenario.leaves ?? 0) === 0)

export const findScenario = (name: string): Scenario | undefined => scenarios.find((scenario) => scenario.name === name)
