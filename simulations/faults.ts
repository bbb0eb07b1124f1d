/**
 * Fault plans: what happens to a simulated cluster and when. A plan is a list of timed steps
 * (writes, partitions, heals, crashes, restarts, a flaky network) followed by a quiet period
 * after which the cluster must have converged. Scenarios write plans by hand or generate
 * them from the seed; `swarmPlan` also lets the seed choose which kinds of fault are on at
 * all (swarm testing), so that rare combinations get runs of their own.
 */
import { Data } from "effect"
import { clusterScale } from "../transport/gossip/gossip.config.ts"
import type { LinkMode } from "./linkMode.ts"
import type { LinkFaults } from "./network.ts"
import { reliable } from "./network.ts"
import type { Prng } from "./prng.ts"

export type FaultStep = Data.TaggedEnum<{
  Write: { readonly at: number; readonly node: string; readonly kind: string; readonly id: string; readonly value: unknown }
  /** Cuts every link between the two sides, both ways. */
  Partition: { readonly at: number; readonly sides: readonly [ReadonlyArray<string>, ReadonlyArray<string>] }
  /** Cuts the links from `from` to `to` only: `to` still reaches `from`. */
  OneWay: { readonly at: number; readonly from: ReadonlyArray<string>; readonly to: ReadonlyArray<string> }
  Isolate: { readonly at: number; readonly node: string }
  IsolateZone: { readonly at: number; readonly zone: string }
  /** Restores every cut link. */
  Heal: { readonly at: number }
  Crash: { readonly at: number; readonly node: string }
  Restart: { readonly at: number; readonly node: string }
  /** From now on every frame meets these odds; `reliable` ends it. */
  Flaky: { readonly at: number; readonly faults: LinkFaults }
  /** A user creates or replaces a template on `node` (a cluster node: leaves refuse), limited to `zones` if any. */
  PutTemplate: {
    readonly at: number
    readonly node: string
    readonly name: string
    readonly image: string
    readonly zones?: ReadonlyArray<string>
  }
  /** A user (`simulatedOwner` unless `owner` names another) creates a space on `node`, which places it. */
  CreateSpace: {
    readonly at: number
    readonly node: string
    readonly space: string
    readonly template: string
    readonly owner?: string
  }
  /** A user asks `node` to start, stop or delete a space. */
  SpaceRequest: {
    readonly at: number
    readonly node: string
    readonly space: string
    readonly request: SpaceRequestKind
  }
  /**
   * The node that owns `space` (as the first live node's store says) crashes and restarts
   * `downMs` later: aimed at a space's container step, whose owner the plan cannot know.
   */
  CrashOwner: { readonly at: number; readonly space: string; readonly downMs: number }
  /**
   * The owner of `space`'s engine restarts (knot keeps running): the event stream it follows
   * ends, and its running containers exit while nobody follows, told by no event.
   */
  RestartOwnersEngine: { readonly at: number; readonly space: string }
  /**
   * `leaf` is compromised: besides its honest work, it sends its origin records outside its
   * authority, far-future versions and watermarks, and hellos claiming other ids
   * (byzantineLeaf.ts).
   */
  Byzantine: { readonly at: number; readonly leaf: string }
}>

export type SpaceRequestKind = "start" | "stop" | "delete"

export const FaultStep = Data.taggedEnum<FaultStep>()

export interface FaultPlan {
  /** Ordered by time. */
  readonly steps: ReadonlyArray<FaultStep>
  /**
   * After the last step, how long the cluster runs before the final checks, for a cluster of
   * up to ten nodes; `planEnd` grows it with the cluster as gossip grows its timeouts.
   */
  readonly quietMs: number
}

export interface SimNodeSpec {
  readonly id: string
  readonly zone: string
  /** Set on a leaf: the cluster node it links to. */
  readonly origin?: string
}

/**
 * When the quiet period of a plan played on `nodes` nodes ends. Over a partial view's links
 * it grows by the cluster's scale once more: after a fault the nodes must dial their links
 * again, and news of a member travels to the others over O(log n) links rather than straight.
 * A 1 000-node partition-heal over them (seed 1) settled 35 s after the heal, past the 24 s
 * it had before, within the 72 s it has now. A run still ends as soon as it has settled.
 */
export const planEnd = (plan: FaultPlan, nodes: number, links: LinkMode = "full-mesh"): number =>
  plan.steps.reduce((latest, step) => Math.max(latest, step.at), 0) +
  plan.quietMs * clusterScale(nodes) * (links === "view" ? clusterScale(nodes) : 1)

export const sortSteps = (steps: ReadonlyArray<FaultStep>): Array<FaultStep> =>
  steps.map((step, index) => [step, index] as const)
    .sort(([a, i], [b, j]) => a.at - b.at || i - j)
    .map(([step]) => step)

/** A short, stable description of a step for the trace. */
export const describeStep = (step: FaultStep): string =>
  FaultStep.$match(step, {
    Write: (s) => `write ${s.node} ${s.kind}/${s.id}=${JSON.stringify(s.value)}`,
    Partition: (s) => `partition ${s.sides[0].join(",")} | ${s.sides[1].join(",")}`,
    OneWay: (s) => `one-way ${s.from.join(",")} -/-> ${s.to.join(",")}`,
    Isolate: (s) => `isolate ${s.node}`,
    IsolateZone: (s) => `isolate-zone ${s.zone}`,
    Heal: () => "heal",
    Crash: (s) => `crash ${s.node}`,
    Restart: (s) => `restart ${s.node}`,
    Flaky: (s) => `flaky drop=${s.faults.drop} dup=${s.faults.duplicate} reorder=${s.faults.reorder}`,
    PutTemplate: (s) => `put-template ${s.node} ${s.name} image=${s.image}${s.zones === undefined ? "" : ` zones=${s.zones.join(",")}`}`,
    CreateSpace: (s) => `create-space ${s.node} ${s.space} template=${s.template}${s.owner === undefined ? "" : ` owner=${s.owner}`}`,
    SpaceRequest: (s) => `${s.request}-space ${s.node} ${s.space}`,
    CrashOwner: (s) => `crash-owner ${s.space} for ${s.downMs} ms`,
    RestartOwnersEngine: (s) => `restart-engine of ${s.space}'s owner`,
    Byzantine: (s) => `byzantine ${s.leaf}`
  })

/** Writes at random times in [from, to) on random nodes of `nodes`, over a few shared keys. */
export const randomWrites = (
  prng: Prng,
  nodes: ReadonlyArray<string>,
  count: number,
  from: number,
  to: number,
  keys = 4
): Array<FaultStep> =>
  Array.from({ length: count }, (_, n) => {
    const node = prng.pick(nodes)
    return FaultStep.Write({
      at: prng.between(from, to - 1),
      node,
      kind: "template",
      id: `t${prng.nextInt(keys)}`,
      value: { by: node, n }
    })
  })

export type FaultKind = "partition" | "one-way" | "isolate" | "zone" | "crash" | "flaky"

const allKinds: ReadonlyArray<FaultKind> = ["partition", "one-way", "isolate", "zone", "crash", "flaky"]

export const flakyOdds: LinkFaults = { drop: 0.2, duplicate: 0.1, reorder: 0.2 }

export interface SwarmOptions {
  readonly episodes: number
  readonly writes: number
  readonly quietMs: number
}

/**
 * A plan drawn from the seed: first which kinds of fault are on (at least one), then a run
 * of episodes, each a fault and its repair, with writes throughout.
 */
export const swarmPlan = (prng: Prng, nodes: ReadonlyArray<SimNodeSpec>, options: SwarmOptions): FaultPlan => {
  const enabled = allKinds.filter(() => prng.chance(0.5))
  const kinds = enabled.length > 0 ? enabled : [prng.pick(allKinds)]
  const ids = nodes.map((node) => node.id)
  const zones = [...new Set(nodes.map((node) => node.zone))]
  const steps: Array<FaultStep> = []
  let at = prng.between(500, 1500)
  for (let episode = 0; episode < options.episodes; episode++) {
    const kind = prng.pick(kinds)
    const lasts = prng.between(1000, 8000)
    switch (kind) {
      case "partition": {
        const shuffled = prng.shuffle(ids)
        const cut = prng.between(1, ids.length - 1)
        steps.push(FaultStep.Partition({ at, sides: [shuffled.slice(0, cut), shuffled.slice(cut)] }))
        steps.push(FaultStep.Heal({ at: at + lasts }))
        break
      }
      case "one-way": {
        const shuffled = prng.shuffle(ids)
        const cut = prng.between(1, ids.length - 1)
        steps.push(FaultStep.OneWay({ at, from: shuffled.slice(0, cut), to: shuffled.slice(cut) }))
        steps.push(FaultStep.Heal({ at: at + lasts }))
        break
      }
      case "isolate":
        steps.push(FaultStep.Isolate({ at, node: prng.pick(ids) }))
        steps.push(FaultStep.Heal({ at: at + lasts }))
        break
      case "zone":
        steps.push(FaultStep.IsolateZone({ at, zone: prng.pick(zones) }))
        steps.push(FaultStep.Heal({ at: at + lasts }))
        break
      case "crash": {
        const node = prng.pick(ids)
        steps.push(FaultStep.Crash({ at, node }))
        steps.push(FaultStep.Restart({ at: at + lasts * 2, node }))
        break
      }
      case "flaky":
        steps.push(FaultStep.Flaky({ at, faults: flakyOdds }))
        steps.push(FaultStep.Flaky({ at: at + lasts, faults: reliable }))
        break
    }
    at += (kind === "crash" ? lasts * 2 : lasts) + prng.between(200, 2000)
  }
  steps.push(...randomWrites(prng, ids, options.writes, 200, at))
  return { steps: sortSteps(steps), quietMs: options.quietMs }
}
