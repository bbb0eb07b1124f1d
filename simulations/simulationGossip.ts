/**
 * The gossip the simulator runs, and the bounds its checker holds it to. Scenarios read the
 * bounds too, to plan faults that outlast them.
 */
import { clusterScale, defaultGossipConfig, type GossipConfig } from "../transport/gossip/gossip.config.ts"

/**
 * Gossip in the simulator: quicker suspicion, and rounds that fit a five-node cluster (two
 * peers every two seconds) — every message costs real time, and a run must take milliseconds.
 */
export const simulationGossip: Partial<GossipConfig> = {
  probeIntervalMs: 1000,
  probeTimeoutMs: 300,
  suspicionTimeoutMs: 2000,
  antiEntropyIntervalMs: 2000,
  fanout: 2
}

/**
 * How long after a crash every live node must see the crashed node dead: within a few
 * periods some node's probe of it fails (each of n probers reaches it with chance 1/n per
 * period, so none has in k periods with chance e^-k), the suspicion times out as membership
 * grows it with the cluster, and the death spreads in O(log n) periods.
 */
export const deadDetectionBoundMs = (nodes: number, config: GossipConfig): number =>
  config.suspicionTimeoutMs * clusterScale(nodes) + (2 + 2 * Math.ceil(Math.log2(nodes))) * config.probeIntervalMs

/** The bound for the simulator's own gossip. */
export const simulatedDetectionBoundMs = (nodes: number): number =>
  deadDetectionBoundMs(nodes, { ...defaultGossipConfig, ...simulationGossip })
