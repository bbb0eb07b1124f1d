import { defaultFullMeshUpTo } from "./overlay.ts"

/** The knobs of membership and anti-entropy, with defaults for a LAN-sized cluster. */
export interface GossipConfig {
  /** This node's zone, announced with its own rumours. */
  readonly zone: string
  /** One probe per period (stretched by local health, see `maxLocalHealth`). */
  readonly probeIntervalMs: number
  /** Wait for a direct Ack before asking others to probe. */
  readonly probeTimeoutMs: number
  /** How many members are asked to probe an unanswering target (SWIM's k). */
  readonly pingReqCount: number
  /**
   * A suspect that does not refute within this time, times `clusterScale`, is declared dead:
   * the larger the cluster, the longer news of the suspicion takes to reach the suspect.
   */
  readonly suspicionTimeoutMs: number
  /** Every this many periods a dead member is probed too, so that a healed one comes back. */
  readonly deadProbeEvery: number
  /**
   * Rumours piggybacked on one message, times `clusterScale`: after a partition heals, every
   * member of the other side refutes its death at once, and that news must fit the messages.
   */
  readonly maxPiggyback: number
  /** A rumour is sent `retransmitMult · ⌈log2(n + 1)⌉` times before it is dropped. */
  readonly retransmitMult: number
  /**
   * Lifeguard's local health: each failed probe or refuted rumour about this node stretches
   * its probe period and timeout by one more period, up to this many.
   */
  readonly maxLocalHealth: number
  /**
   * A cluster of at most this many other members is a full mesh; a larger one keeps O(log n)
   * links per node (overlay.ts).
   */
  readonly fullMeshUpTo: number
  /**
   * Every this many probe periods a node swaps membership state with a link (push-pull, in a
   * fixed-size summary); every period while the last swap found a difference.
   */
  readonly membershipSyncEvery: number
  readonly antiEntropyIntervalMs: number
  /** Peers per anti-entropy round, and peers each new local write is pushed to. */
  readonly fanout: number
  /** Largest delta sent in one message. */
  readonly maxDeltaBytes: number
  /** Digests and deltas this node sends per anti-entropy round; replies beyond it wait. */
  readonly maxBytesPerRound: number
  readonly maxFrameBytes: number
}

export const defaultGossipConfig: GossipConfig = {
  zone: "default",
  probeIntervalMs: 1000,
  probeTimeoutMs: 400,
  pingReqCount: 3,
  suspicionTimeoutMs: 4000,
  deadProbeEvery: 1,
  maxPiggyback: 8,
  retransmitMult: 3,
  maxLocalHealth: 3,
  fullMeshUpTo: defaultFullMeshUpTo,
  membershipSyncEvery: 4,
  antiEntropyIntervalMs: 1000,
  fanout: 3,
  maxDeltaBytes: 32 * 1024,
  maxBytesPerRound: 128 * 1024,
  maxFrameBytes: 256 * 1024
}

/**
 * How much the timeouts and capacities that depend on the cluster's size grow with it:
 * log10 of the member count, never below 1. This is Lifeguard's and memberlist's suspicion
 * multiplier (`suspicionMult · log10(n) · probeInterval`): 1 up to 10 members, 1.8 at 64,
 * 2.1 at 128, 2.4 at 256, 3 at 1 000.
 */
export const clusterScale = (members: number): number => Math.max(1, Math.log10(members))
