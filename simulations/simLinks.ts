/**
 * Connections between simulated cluster nodes, kept as the Hyperswarm transport keeps them
 * (transport/hyperswarm/linkKeeper.ts), for runs that ask for it (`links: "view"`). Without
 * it the simulated network delivers between any two cluster nodes; with it a frame passes
 * only over a connection, so a cluster past gossip's full mesh runs over its partial view's
 * links, as a real one does, and heals a partition the way a real one must: by dialing again.
 *
 * Each node incarnation runs the transport's own link keeper. The model of Hyperswarm around
 * it is small:
 * - a node dials every peer its keeper lets it dial (its firewall on its own dials), at start
 *   and every `redialEveryMs`, as the topic's discovery and the transport's redials do, and
 *   at once a peer the keeper joins; a dial lands after a frame's latency, if both ends are
 *   still up, nothing cuts them either way and no connection joins them yet;
 * - Hyperswarm's cap (`maxPeers`, 64) binds as it does in Hyperswarm 4: only a dial to a peer
 *   the topic found, which a node makes while its keeper holds no view (a large cluster
 *   starts as a full mesh until gossip hands its keepers one), and only while the dialer
 *   holds 64 connections. A peer the keeper joined (a view link, or a member dialed on
 *   demand) is an explicit peer, which Hyperswarm dials whatever it holds, and a node accepts
 *   every connection dialed to it;
 * - the keeper sweeps every `sweepEveryMs`, closing the connections its node dialed and no
 *   longer wants (no stream runs in the simulator);
 * - a connection cut either way for `timeoutMs` times out, and a node that crashes loses its
 *   own at once;
 * - a frame to a peer with no connection is lost and makes the keeper dial it on demand.
 * Each end hears of a connection coming and going as PeerUp and PeerDown, as over a real one.
 */
import { createHash } from "node:crypto"
import { type LinkKeeper, makeLinkKeeper } from "../transport/hyperswarm/linkKeeper.ts"
import type { PeerEvent, PeerId } from "../transport/transport.ts"
import type { VirtualTime } from "./clock.ts"
import type { Trace } from "./trace.ts"

// Asked for at every dial and sweep, of every peer: hashed once per name.
const simulatedKeys = new Map<string, string>()

/** A simulated node's public key: what its node record announces and its keeper checks. */
export const simulatedKeyOf = (node: string): string => {
  const known = simulatedKeys.get(node)
  if (known !== undefined) return known
  const key = createHash("sha256").update(`knot-sim-node:${node}`).digest("hex")
  simulatedKeys.set(node, key)
  return key
}

/**
 * The transport's pace, quickened as the simulator quickens gossip: a run lasts tens of
 * virtual seconds, and a real node's 15 s of grace would outlast most partitions of one.
 */
export const simulatedLinkTimings = {
  graceMs: 3_000,
  demandForMs: 12_000,
  dialWithinMs: 2_000,
  sweepEveryMs: 1_000,
  redialEveryMs: 2_000,
  /** How long a connection survives a cut before it times out. */
  timeoutMs: 4_000,
  /**
   * The connections a node holds before Hyperswarm stops dialing the peers its topic finds
   * (its `maxPeers`, which knot leaves as it is).
   */
  maxPeers: 64
} as const

/** What the links need of the network they run on. */
export interface LinkHost {
  /** Whether frames could pass from `a` to `b` now, cuts and crashes considered. */
  readonly passes: (a: string, b: string) => boolean
  /** A frame's latency, drawn from the seed. */
  readonly latency: () => number
  /** Tells the node's current incarnation of a connection coming or going. */
  readonly notify: (node: string, event: PeerEvent) => void
}

interface Connection {
  readonly dialedBy: string
  /** Since when a cut has separated the two ends, while one does. */
  cutSince: number | undefined
}

interface Attached {
  readonly incarnation: number
  readonly keeper: LinkKeeper
  /** The peers the keeper asked the swarm to dial: Hyperswarm's explicit peers. */
  readonly joined: Set<string>
}

const pairOf = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`)

export class SimLinks {
  private readonly attached = new Map<string, Attached>()
  private readonly connections = new Map<string, Connection>()
  /** Each node's connected peers, in the order they connected. */
  private readonly peers = new Map<string, Set<string>>()
  private readonly dialing = new Set<string>()
  private readonly nodeOfKey = new Map<string, string>()
  private incarnations = 0
  private ticking = false
  private ticks = 0

  constructor(
    private readonly time: VirtualTime,
    private readonly trace: Trace,
    private readonly host: LinkHost
  ) {}

  /** A node (re)starts: a keeper of its own, and its first dials. */
  attach(node: string): void {
    this.nodeOfKey.set(simulatedKeyOf(node), node)
    const joined = new Set<string>()
    const keeper = makeLinkKeeper({
      swarm: {
        joinPeer: (key) => {
          const peer = this.nodeOfKey.get(key.toString("hex"))
          if (peer === undefined) return
          joined.add(peer)
          this.dial(node, peer)
        },
        leavePeer: (key) => {
          const peer = this.nodeOfKey.get(key.toString("hex"))
          if (peer !== undefined) joined.delete(peer)
        }
      },
      isLinked: (peer) => this.connected(node, peer),
      graceMs: simulatedLinkTimings.graceMs,
      demandForMs: simulatedLinkTimings.demandForMs,
      dialWithinMs: simulatedLinkTimings.dialWithinMs,
      identifies: (peer, key) => key === simulatedKeyOf(peer)
    })
    this.attached.set(node, { incarnation: ++this.incarnations, keeper, joined })
    this.dialAll(node)
    if (!this.ticking) {
      this.ticking = true
      this.time.schedule(this.time.now + simulatedLinkTimings.sweepEveryMs, () => this.tick())
    }
  }

  /** A node goes down: its connections go with it. */
  detach(node: string): void {
    this.attached.delete(node)
    for (const peer of this.peersOf(node)) this.close(node, peer, "peer went down")
  }

  connected(a: string, b: string): boolean {
    return this.connections.has(pairOf(a, b))
  }

  peersOf(node: string): Array<string> {
    return [...(this.peers.get(node) ?? [])]
  }

  private degree(node: string): number {
    return this.peers.get(node)?.size ?? 0
  }

  /** The view's links and the keys members announce, as gossip hands them to the transport. */
  keep(node: string, wanted: ReadonlyArray<PeerId> | undefined, keys: ReadonlyMap<PeerId, string>): void {
    this.attached.get(node)?.keeper.keep(wanted, keys, this.time.now)
  }

  /** A frame from `from` found no connection to `to`: dial it on demand. */
  demand(from: string, to: string): void {
    this.attached.get(from)?.keeper.demand(to, this.time.now)
  }

  private mayDial(node: string, peer: string): boolean {
    return this.attached.get(node)?.keeper.mayDial(simulatedKeyOf(peer), this.time.now) ?? false
  }

  private dialAll(node: string): void {
    for (const peer of this.attached.keys()) {
      if (peer !== node && !this.connected(node, peer) && this.mayDial(node, peer)) this.dial(node, peer)
    }
  }

  private dial(from: string, to: string): void {
    const attempt = `${from}>${to}`
    if (from === to || this.connected(from, to) || this.dialing.has(attempt)) return
    const dialer = this.attached.get(from)
    const callee = this.attached.get(to)
    if (dialer === undefined || callee === undefined) return
    this.dialing.add(attempt)
    this.time.schedule(this.time.now + this.host.latency(), () => {
      this.dialing.delete(attempt)
      const sameEnds = this.attached.get(from) === dialer && this.attached.get(to) === callee
      if (!sameEnds || this.connected(from, to) || !this.mayDial(from, to)) return
      if (!this.host.passes(from, to) || !this.host.passes(to, from)) return
      if (!dialer.joined.has(to) && this.degree(from) >= simulatedLinkTimings.maxPeers) return
      this.connections.set(pairOf(from, to), { dialedBy: from, cutSince: undefined })
      this.linkPeers(from, to)
      this.linkPeers(to, from)
      this.trace.line(this.time.now, `connect ${from}>${to}`)
      this.host.notify(from, { _tag: "PeerUp", peer: to })
      this.host.notify(to, { _tag: "PeerUp", peer: from })
    })
  }

  private linkPeers(node: string, peer: string): void {
    const peers = this.peers.get(node) ?? new Set<string>()
    this.peers.set(node, peers)
    peers.add(peer)
  }

  private close(a: string, b: string, reason: string): void {
    if (!this.connections.delete(pairOf(a, b))) return
    this.peers.get(a)?.delete(b)
    this.peers.get(b)?.delete(a)
    this.trace.line(this.time.now, `disconnect ${a}-${b}: ${reason}`)
    this.host.notify(a, { _tag: "PeerDown", peer: b, reason })
    this.host.notify(b, { _tag: "PeerDown", peer: a, reason })
  }

  private tick(): void {
    const now = this.time.now
    for (const [pair, connection] of [...this.connections]) {
      const [a, b] = pair.split("|") as [string, string]
      if (this.host.passes(a, b) && this.host.passes(b, a)) {
        connection.cutSince = undefined
        continue
      }
      connection.cutSince ??= now
      if (now - connection.cutSince >= simulatedLinkTimings.timeoutMs) this.close(a, b, "timed out")
    }
    for (const [node, { keeper }] of this.attached) {
      keeper.sweep(
        this.peersOf(node).map((peer) => ({
          peer,
          publicKey: simulatedKeyOf(peer),
          dialedBy: this.connections.get(pairOf(node, peer))?.dialedBy === node ? "self" as const : "peer" as const,
          leaf: undefined,
          activeStreams: () => 0,
          close: (reason: string) => this.close(node, peer, reason)
        })),
        now
      )
    }
    this.ticks++
    if (this.ticks % (simulatedLinkTimings.redialEveryMs / simulatedLinkTimings.sweepEveryMs) === 0) {
      for (const node of this.attached.keys()) this.dialAll(node)
    }
    this.time.schedule(now + simulatedLinkTimings.sweepEveryMs, () => this.tick())
  }
}
