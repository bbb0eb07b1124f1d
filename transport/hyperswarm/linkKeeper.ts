/**
 * Which peers the Hyperswarm transport keeps connections to. In a small cluster that is every
 * peer the cluster's topic finds (a full mesh, Hyperswarm's own way). Past gossip's full mesh
 * (transport/gossip/overlay.ts) each node talks to O(log n) links, and a connection to any
 * other member only costs keepalives and one of Hyperswarm's peer slots, so the transport
 * follows the partial view instead:
 * - it dials the view's links by their public keys (from the members' node records, each
 *   checked against the node id it fixes), and dials nobody else: not the peers the topic
 *   finds, nor those Hyperswarm would redial after a close;
 * - a member outside the view is dialed on demand, for a stream to a space it owns or a probe
 *   of a member held dead, and kept wanted for a while after; a dial that has not connected
 *   within `dialWithinMs` lapses, and the next frame to the member dials it again. Gossip
 *   probes a member it holds dead every period, so without the lapse a node cut off from
 *   half the cluster would want the whole other half by the heal, and dial it all at once;
 * - each end closes the connections it dialed and no longer wants, after a grace period that
 *   lets views settle and never while a stream runs on it. A connection the peer dialed is the
 *   peer's to close: the links are symmetric (both ends of a finger want it), so this leaves
 *   no connection that neither end wants, and two ends never fight over one.
 * Connections dialed by peers are always accepted: a new node finds the cluster through
 * them before it has a view.
 */
import type { PeerId } from "../transport.ts"
import { nodeIdOfKey } from "./nodeIdentity.ts"

/** What the keeper asks of the swarm: Hyperswarm's explicit dials, which it retries on its own. */
export interface SwarmDials {
  readonly joinPeer: (publicKey: Buffer) => void
  readonly leavePeer: (publicKey: Buffer) => void
}

/** A connection as the keeper sees it. */
export interface KeptLink {
  readonly peer: PeerId
  readonly publicKey: string
  readonly dialedBy: "self" | "peer"
  /** Set for a leaf's link: a leaf links to its origin alone, and only it closes that link. */
  readonly leaf: string | undefined
  /** Stream channels open on the connection now. */
  readonly activeStreams: () => number
  readonly close: (reason: string) => void
}

export interface LinkKeeperOptions {
  readonly swarm: SwarmDials
  /** Whether the transport holds a connection to the peer now. */
  readonly isLinked: (peer: PeerId) => boolean
  /** How long a connection stays unwanted before this end closes it. */
  readonly graceMs: number
  /** How long a member dialed on demand stays wanted after its last use. */
  readonly demandForMs: number
  /** How long a member dialed on demand stays wanted while no connection to it lands. */
  readonly dialWithinMs: number
  /**
   * Whether `publicKey` is the key of `peer`: by default, whether the key's hash is the
   * peer's id (nodeIdentity.ts). The simulator, whose nodes are named rather than keyed,
   * gives its own.
   */
  readonly identifies?: (peer: PeerId, publicKey: string) => boolean
}

export const unwantedReason = "not one of this node's links in the cluster's partial view"

/** The keeper's timings, which the transport takes as an option. */
export type KeeperTimings = Pick<LinkKeeperOptions, "graceMs" | "demandForMs" | "dialWithinMs">

export const defaultKeeperTimings: KeeperTimings = { graceMs: 15_000, demandForMs: 60_000, dialWithinMs: 10_000 }

export interface LinkKeeper {
  /**
   * The view's links (undefined: a full mesh, where Hyperswarm's topic finds every peer) and
   * the public keys members announce; a key that does not fix its member's id is ignored.
   */
  readonly keep: (wanted: ReadonlyArray<PeerId> | undefined, keys: ReadonlyMap<PeerId, string>, now: number) => void
  /** A key proven by an authenticated connection. */
  readonly learn: (peer: PeerId, publicKey: string) => void
  /** Whether this node dials the peer of `publicKey` now. */
  readonly mayDial: (publicKey: string, now: number) => boolean
  /**
   * Dials a member outside the view, under a partial view: for a stream to a space it owns, or
   * for gossip's probe of a member it holds dead (how two sides of a healed partition meet
   * again). False when its key is unknown, or in a full mesh, where the topic finds every peer.
   */
  readonly demand: (peer: PeerId, now: number) => boolean
  /**
   * Closes the connections this end dialed and has not wanted for the grace period, and stops
   * the swarm retrying dials that have lapsed.
   */
  readonly sweep: (links: Iterable<KeptLink>, now: number) => void
  /** Whether a stream to `peer` can dial it: under a partial view, with its key known. */
  readonly dialable: (peer: PeerId) => boolean
}

const fixesId = (peer: PeerId, publicKey: string): boolean =>
  /^[0-9a-f]{64}$/.test(publicKey) && nodeIdOfKey(Buffer.from(publicKey, "hex")) === peer

export const makeLinkKeeper = (options: LinkKeeperOptions): LinkKeeper => {
  let wanted: ReadonlySet<PeerId> | undefined
  const keys = new Map<PeerId, string>()
  const peerOfKey = new Map<string, PeerId>()
  /** Peers this keeper asked Hyperswarm to dial; it retries them until told to leave them. */
  const joined = new Set<PeerId>()
  const demanded = new Map<PeerId, number>()
  const unwantedSince = new Map<PeerId, number>()

  const identifies = options.identifies ?? fixesId

  const learn = (peer: PeerId, publicKey: string) => {
    if (keys.get(peer) === publicKey || !identifies(peer, publicKey)) return
    keys.set(peer, publicKey)
    peerOfKey.set(publicKey, peer)
  }

  const wants = (peer: PeerId, now: number): boolean => {
    if (wanted === undefined || wanted.has(peer)) return true
    const usedAt = demanded.get(peer)
    if (usedAt === undefined) return false
    const age = now - usedAt
    if (age < options.demandForMs && (age < options.dialWithinMs || options.isLinked(peer))) return true
    demanded.delete(peer)
    return false
  }

  const join = (peer: PeerId) => {
    const key = keys.get(peer)
    if (key === undefined) return false
    joined.add(peer)
    options.swarm.joinPeer(Buffer.from(key, "hex"))
    return true
  }

  const leave = (peer: PeerId) => {
    const key = keys.get(peer)
    if (!joined.delete(peer) || key === undefined) return
    options.swarm.leavePeer(Buffer.from(key, "hex"))
  }

  /** Stops the swarm dialing the peers this keeper joined and no longer wants. */
  const leaveUnwanted = (now: number) => {
    for (const peer of [...joined]) if (!wants(peer, now)) leave(peer)
  }

  return {
    keep: (next, announced, now) => {
      for (const [peer, key] of announced) learn(peer, key)
      wanted = next === undefined ? undefined : new Set(next)
      if (wanted === undefined) {
        // Back to a full mesh: the topic finds every peer again.
        for (const peer of [...joined]) leave(peer)
        unwantedSince.clear()
        return
      }
      // Dialed again while unlinked: Hyperswarm gives up on a peer after a few failed dials,
      // and joining it again puts it back in its queue.
      for (const peer of wanted) if (!joined.has(peer) || !options.isLinked(peer)) join(peer)
      leaveUnwanted(now)
    },
    learn,
    mayDial: (publicKey, now) => {
      if (wanted === undefined) return true
      const peer = peerOfKey.get(publicKey)
      return peer !== undefined && wants(peer, now)
    },
    demand: (peer, now) => {
      if (wanted === undefined) return false
      demanded.set(peer, now)
      return joined.has(peer) || join(peer)
    },
    sweep: (links, now) => {
      if (wanted === undefined) return
      leaveUnwanted(now)
      for (const link of links) {
        learn(link.peer, link.publicKey)
        if (wants(link.peer, now)) {
          unwantedSince.delete(link.peer)
          continue
        }
        if (link.dialedBy === "peer" || link.leaf !== undefined || link.activeStreams() > 0) {
          unwantedSince.delete(link.peer)
          continue
        }
        const since = unwantedSince.get(link.peer)
        if (since === undefined) unwantedSince.set(link.peer, now)
        else if (now - since >= options.graceMs) {
          unwantedSince.delete(link.peer)
          link.close(unwantedReason)
        }
      }
    },
    dialable: (peer) => wanted !== undefined && keys.has(peer)
  }
}
