/**
 * What every simulated run is made of, drawn from one seed: virtual time, a trace, the
 * network, and the nodes (ids, zones, clock drifts). Each consumer draws from its own stream
 * of the seed, so the plan, the network and the nodes do not disturb one another.
 */
import type { Random } from "effect"
import { peekGossipTag, rememberEncodedFrames } from "../transport/gossip/gossip.wire.ts"
import { VirtualTime } from "./clock.ts"
import type { ClusterNodeSpec } from "./cluster.ts"
import { reliable, SimNetwork } from "./network.ts"
import { Prng, seededRandom } from "./prng.ts"
import type { LinkMode } from "./linkMode.ts"
import { Trace } from "./trace.ts"

/** Frames take 1–40 ms, as between servers in one region. */
export const latencyMs = { min: 1, max: 40 }

/** The stores' HLC limit; node clocks drift by up to a tenth of it either way. */
export const maxDriftMs = 1000

export interface World {
  readonly time: VirtualTime
  readonly trace: Trace
  readonly network: SimNetwork
  readonly nodes: ReadonlyArray<ClusterNodeSpec>
  /** For the fault plan. */
  readonly planPrng: Prng
  /** For the node incarnations (their Effect `Random`). */
  readonly clusterPrng: Prng
  /** The harness's own Effect `Random`, so that nothing in a run draws from an unseeded one. */
  readonly harnessRandom: Random.Random
}

/** A leaf's zone: its developer's machine, which no template is limited to. */
export const leafZone = "local"

/**
 * Cluster nodes `n1…` in `zones`, then `leaves` leaf nodes `l1…`, each linked to a cluster
 * node in turn (the first leaf to n1).
 */
export const makeWorld = (
  seed: number,
  zones: ReadonlyArray<string>,
  keepTrace: boolean,
  leaves = 0,
  links: LinkMode = "full-mesh"
): World => {
  const root = new Prng(seed, "knot-sim")
  const planPrng = root.derive("plan")
  const networkPrng = root.derive("network")
  const nodesPrng = root.derive("nodes")
  const clusterPrng = root.derive("cluster")
  const harnessRandom = seededRandom(root.derive("harness"))
  // The network hands each frame over as the bytes its sender encoded: the receiver takes
  // back the message they were encoded from instead of parsing them again (gossip.wire.ts).
  rememberEncodedFrames()
  const time = new VirtualTime()
  const trace = new Trace(keepTrace)
  const network = new SimNetwork(time, networkPrng, trace, { latencyMs, faults: reliable, describe: peekGossipTag, links })
  const drift = () => nodesPrng.between(-maxDriftMs / 10, maxDriftMs / 10)
  const nodes: Array<ClusterNodeSpec> = zones.map((zone, i) => ({ id: `n${i + 1}`, zone, driftMs: drift() }))
  for (let i = 0; i < leaves; i++) {
    nodes.push({ id: `l${i + 1}`, zone: leafZone, origin: `n${(i % zones.length) + 1}`, driftMs: drift() })
  }
  return { time, trace, network, nodes, planPrng, clusterPrng, harnessRandom }
}
