/**
 * The simulated network: one `Transport` per node over virtual time. Every frame gets a
 * latency drawn from the seed and may be dropped, duplicated or held back past later frames
 * (reordered); links can be cut in one direction or both (partitions, an isolated node, an
 * isolated zone) and healed. A cut is checked when a frame is sent and again when it would
 * arrive, so a partition also swallows what was in flight. A node that is down (crashed)
 * receives nothing, and a restarted node never sees frames sent to its previous incarnation.
 *
 * Cluster nodes form a full mesh, as every one of them is configured with the others, unless
 * the run asks for connections kept as a real node keeps them (simLinks.ts). A leaf
 * has one link, to its origin, which is up while both ends are attached and nothing cuts it
 * either way; the two ends see it come and go as PeerUp and PeerDown events, as over a real
 * connection. No frame passes between a leaf and any other node.
 */
import { Chunk, Effect, Queue, Stream } from "effect"
import { handedOverStream, pulledStream } from "../transport/gossip/gossip.router.ts"
import type { Incoming, PeerEvent, TransportShape } from "../transport/transport.ts"
import type { VirtualTime } from "./clock.ts"
import type { Prng } from "./prng.ts"
import type { LinkMode } from "./linkMode.ts"
import { SimLinks, simulatedKeyOf } from "./simLinks.ts"
import type { Trace } from "./trace.ts"

export interface LinkFaults {
  /** Probability that a frame is lost. */
  readonly drop: number
  /** Probability that a frame arrives twice. */
  readonly duplicate: number
  /** Probability that a frame is held back long enough to arrive after later ones. */
  readonly reorder: number
}

export const reliable: LinkFaults = { drop: 0, duplicate: 0, reorder: 0 }

export interface NetworkOptions {
  readonly latencyMs: { readonly min: number; readonly max: number }
  readonly faults: LinkFaults
  /** Names a frame in the trace (e.g. the gossip message's tag) without decoding it. */
  readonly describe: (bytes: Uint8Array) => string
  /** How cluster nodes reach each other (simLinks.ts); a full mesh when absent. */
  readonly links?: LinkMode
}

/**
 * A node incarnation's incoming frames: a plain array and the one reader waiting on it,
 * woken by the first frame that lands. An Effect Queue costs its reader more ops per frame
 * than routing the frame does; this one is read the way `Stream.fromQueue` reads a queue
 * (every frame waiting, in order) and ends once closed. The gossip router takes the frames
 * handed over instead, each as it lands, with no fiber of its own to wake.
 */
class Inbox {
  private items: Array<Incoming> = []
  private waiting: ((next: Effect.Effect<Chunk.Chunk<Incoming>, undefined>) => void) | undefined = undefined
  private receiver: ((item: Incoming) => void) | undefined = undefined
  private closed = false

  offer(item: Incoming): void {
    if (this.receiver !== undefined) return this.receiver(item)
    this.items.push(item)
    const wake = this.waiting
    this.waiting = undefined
    wake?.(this.takeAll)
  }

  /** From now on every frame goes to `receive` as it lands, those waiting first. */
  readonly handTo = (receive: (item: Incoming) => void): () => void => {
    this.receiver = receive
    const waiting = this.items
    this.items = []
    for (const item of waiting) receive(item)
    return () => {
      if (this.receiver === receive) this.receiver = undefined
    }
  }

  close(): void {
    this.closed = true
    this.receiver = undefined
    this.items = []
    const wake = this.waiting
    this.waiting = undefined
    wake?.(Effect.fail(undefined))
  }

  private readonly takeAll = Effect.sync(() => {
    const taken = Chunk.unsafeFromArray(this.items)
    this.items = []
    return taken
  })

  /** Every frame waiting, at least one; fails once the inbox is closed. */
  readonly take: Effect.Effect<Chunk.Chunk<Incoming>, undefined> = Effect.suspend(() => {
    if (this.closed) return Effect.fail(undefined)
    if (this.items.length > 0) return this.takeAll
    return Effect.async<Chunk.Chunk<Incoming>, undefined>((resume) => {
      this.waiting = resume
      return Effect.sync(() => {
        if (this.waiting === resume) this.waiting = undefined
      })
    })
  })
}

interface Endpoint {
  readonly zone: string
  /** Set on a leaf: the only node it links to. */
  readonly origin: string | undefined
  inbox: Inbox | undefined
  /** The current incarnation's subscriptions to its peer events. */
  readonly watchers: Set<Queue.Queue<PeerEvent>>
}

/** Per node, what it put on the wire: for the bytes-per-round figures. */
export interface NodeTraffic {
  messages: number
  bytes: number
}

export class SimNetwork {
  private readonly endpoints = new Map<string, Endpoint>()
  /** Directed links that are cut, as `from>to`. */
  private readonly cut = new Set<string>()
  private faults: LinkFaults
  /** Per sending node. */
  readonly traffic = new Map<string, NodeTraffic>()
  /** Per kind of frame (as `describe` names it), all nodes together. */
  readonly trafficByKind = new Map<string, NodeTraffic>()
  /** Connections between cluster nodes, when frames pass only over them. */
  private readonly links: SimLinks | undefined
  /** The kind of the frame delivered last, as `describe` names it. */
  lastDeliveredKind = ""

  constructor(
    private readonly time: VirtualTime,
    private readonly prng: Prng,
    private readonly trace: Trace,
    private readonly options: NetworkOptions
  ) {
    this.faults = options.faults
    this.links = options.links === "view"
      ? new SimLinks(time, trace, {
        passes: (a, b) =>
          this.endpoints.get(a)?.inbox !== undefined && this.endpoints.get(b)?.inbox !== undefined && !this.cut.has(`${a}>${b}`),
        latency: () => this.latency(),
        notify: (node, event) => {
          for (const watcher of this.endpoints.get(node)?.watchers ?? []) Queue.unsafeOffer(watcher, event)
        }
      })
      : undefined
  }

  /** The public key a cluster node announces in its record, when connections follow the view. */
  publicKeyOf(node: string): string | undefined {
    return this.links === undefined || this.isLeaf(node) ? undefined : simulatedKeyOf(node)
  }

  /** Whether a frame from `a` to `b` needs a connection between the two and has none. */
  private unconnected(a: string, b: string): boolean {
    return this.links !== undefined && !this.isLeaf(a) && !this.isLeaf(b) && !this.links.connected(a, b)
  }

  /** The leaves whose link to their origin is up. */
  private readonly linkedLeaves = new Set<string>()

  /**
   * Makes a node known: a cluster node's address is configured on every other cluster node;
   * a leaf (`origin` set) knows its origin's alone.
   */
  register(node: string, zone: string, origin?: string): void {
    this.endpoints.set(node, { zone, origin, inbox: undefined, watchers: new Set() })
    this.traffic.set(node, { messages: 0, bytes: 0 })
  }

  private isLeaf(node: string): boolean {
    return this.endpoints.get(node)?.origin !== undefined
  }

  private isLeafLink(a: string, b: string): boolean {
    return this.endpoints.get(a)?.origin === b || this.endpoints.get(b)?.origin === a
  }

  /** Whether frames can pass between the two at all (cuts aside): cluster nodes, or a leaf link. */
  private linked(a: string, b: string): boolean {
    return (!this.isLeaf(a) && !this.isLeaf(b)) || this.isLeafLink(a, b)
  }

  private hasLeaves(node: string): boolean {
    return this.isLeaf(node) || [...this.endpoints.values()].some((endpoint) => endpoint.origin === node)
  }

  /** The leaf links of `node` that are up, as the peers at their other ends. */
  private upLeafPeers(node: string): Array<string> {
    const origin = this.endpoints.get(node)?.origin
    if (origin !== undefined) return this.linkedLeaves.has(node) ? [origin] : []
    return [...this.linkedLeaves].filter((leaf) => this.endpoints.get(leaf)?.origin === node)
  }

  /** Brings every leaf link's state up to date, telling both ends of each one that changed. */
  private refreshLeafLinks(): void {
    for (const [leaf, endpoint] of this.endpoints) {
      const origin = endpoint.origin
      if (origin === undefined) continue
      const up = endpoint.inbox !== undefined && this.endpoints.get(origin)?.inbox !== undefined &&
        !this.cut.has(`${leaf}>${origin}`) && !this.cut.has(`${origin}>${leaf}`)
      if (up === this.linkedLeaves.has(leaf)) continue
      if (up) this.linkedLeaves.add(leaf)
      else this.linkedLeaves.delete(leaf)
      this.trace.line(this.time.now, `link ${leaf}-${origin} ${up ? "up" : "down"}`)
      for (const [node, peer] of [[leaf, origin], [origin, leaf]] as const) {
        const event: PeerEvent = up ? { _tag: "PeerUp", peer } : { _tag: "PeerDown", peer, reason: "link lost" }
        for (const watcher of this.endpoints.get(node)?.watchers ?? []) Queue.unsafeOffer(watcher, event)
      }
    }
  }

  /** The cluster nodes `node` has a connection to, when connections follow the view. */
  private connectedPeers(node: string): Array<string> {
    return this.links === undefined || this.isLeaf(node) ? [] : this.links.peersOf(node)
  }

  /** A subscription to a node's leaf links and connections: those up now, then every change. */
  private peerEventsOf(node: string, endpoint: Endpoint): Stream.Stream<PeerEvent> {
    if (!this.hasLeaves(node) && (this.links === undefined || this.isLeaf(node))) return Stream.empty
    return Stream.unwrapScoped(Effect.gen(this, function*() {
      const watcher = yield* Queue.unbounded<PeerEvent>()
      const up = [...this.upLeafPeers(node), ...this.connectedPeers(node)]
      yield* Queue.offerAll(watcher, up.map((peer): PeerEvent => ({ _tag: "PeerUp", peer })))
      endpoint.watchers.add(watcher)
      yield* Effect.addFinalizer(() => Effect.sync(() => endpoint.watchers.delete(watcher)))
      return Stream.fromQueue(watcher)
    }))
  }

  get nodes(): ReadonlyArray<string> {
    return [...this.endpoints.keys()]
  }

  zoneOf(node: string): string | undefined {
    return this.endpoints.get(node)?.zone
  }

  /** A fresh transport for a node that starts (or restarts): frames for it queue from now on. */
  attach(node: string): Effect.Effect<TransportShape> {
    const endpoint = this.endpoints.get(node)
    if (endpoint === undefined) return Effect.dieMessage(`no simulated node ${node} is registered`)
    return Effect.sync(() => {
      const inbox = new Inbox()
      endpoint.inbox = inbox
      endpoint.watchers.clear()
      this.refreshLeafLinks()
      const links = this.links
      if (links !== undefined && !this.isLeaf(node)) links.attach(node)
      return {
        self: node,
        send: (peer, bytes) => Effect.sync(() => this.send(node, peer, bytes)),
        incoming: handedOverStream(pulledStream(inbox.take), inbox.handTo),
        peerEvents: this.peerEventsOf(node, endpoint),
        connected: Effect.sync(() => {
          const leafPeers = this.upLeafPeers(node)
          return this.nodes.filter((peer) =>
            peer !== node &&
            (this.isLeafLink(node, peer) ? leafPeers.includes(peer) : this.linked(node, peer) && !this.unconnected(node, peer))
          )
        }),
        drop: (peer, reason) =>
          Effect.sync(() => {
            this.trace.line(this.time.now, `drop-peer ${node}>${peer} ${reason}`)
          }),
        ...(links === undefined || this.isLeaf(node)
          ? {}
          : { keepLinks: (wanted, keys) => Effect.sync(() => links.keep(node, wanted, keys)) })
      }
    })
  }

  /**
   * Frames sent as `from` by the harness, past `from`'s own node (a compromised leaf): the
   * network still stamps them with `from`, as a real link stamps frames with its
   * authenticated peer.
   */
  inject(from: string, to: string, bytes: Uint8Array): void {
    this.send(from, to, bytes)
  }

  /**
   * A hello from `from` claiming the id `claimed`. Ids are bound to endpoints here as the real
   * transport binds them to keys (transport/hyperswarm/nodeIdentity.ts), so a claim of another
   * id is refused and no link changes; the trace records it.
   */
  claimIdentity(from: string, claimed: string): boolean {
    const admitted = claimed === from
    if (!admitted) this.trace.line(this.time.now, `refused hello from ${from} claiming ${claimed}`)
    return admitted
  }

  /** The node is down: frames to it are lost until it attaches again. */
  detach(node: string): Effect.Effect<void> {
    return Effect.suspend(() => {
      const endpoint = this.endpoints.get(node)
      const inbox = endpoint?.inbox
      if (endpoint !== undefined) endpoint.inbox = undefined
      this.links?.detach(node)
      this.refreshLeafLinks()
      inbox?.close()
      return Effect.void
    })
  }

  setFaults(faults: LinkFaults): void {
    this.faults = faults
  }

  /** Cuts every link from a node of `from` to a node of `to`; both ways when `symmetric`. */
  cutLinks(from: ReadonlyArray<string>, to: ReadonlyArray<string>, symmetric: boolean): void {
    for (const a of from) {
      for (const b of to) {
        if (a === b) continue
        this.cut.add(`${a}>${b}`)
        if (symmetric) this.cut.add(`${b}>${a}`)
      }
    }
    this.refreshLeafLinks()
  }

  isolate(nodes: ReadonlyArray<string>): void {
    const rest = this.nodes.filter((node) => !nodes.includes(node))
    this.cutLinks(nodes, rest, true)
  }

  nodesInZone(zone: string): Array<string> {
    return this.nodes.filter((node) => this.endpoints.get(node)?.zone === zone)
  }

  heal(): void {
    this.cut.clear()
    this.refreshLeafLinks()
  }

  /** Whether some link is cut. */
  get partitioned(): boolean {
    return this.cut.size > 0
  }

  private send(from: string, to: string, bytes: Uint8Array): void {
    const counts = this.trace.counts
    counts.sent++
    counts.bytes += bytes.byteLength
    const kind = this.options.describe(bytes)
    const ofKind = this.trafficByKind.get(kind) ?? { messages: 0, bytes: 0 }
    this.trafficByKind.set(kind, ofKind)
    for (const traffic of [this.traffic.get(from), ofKind]) {
      if (traffic !== undefined) {
        traffic.messages++
        traffic.bytes += bytes.byteLength
      }
    }
    if (this.unconnected(from, to)) {
      // Lost like any frame to an unlinked peer; a later one finds the link dialed now.
      this.links?.demand(from, to)
      counts.dropped++
      return
    }
    if (!this.linked(from, to) || this.cut.has(`${from}>${to}`) || this.endpoints.get(to)?.inbox === undefined) {
      counts.dropped++
      return
    }
    if (this.prng.chance(this.faults.drop)) {
      counts.dropped++
      return
    }
    this.deliverLater(from, to, bytes, kind, this.latency())
    if (this.prng.chance(this.faults.duplicate)) {
      counts.duplicated++
      this.deliverLater(from, to, bytes, kind, this.latency())
    }
  }

  private latency(): number {
    const { max, min } = this.options.latencyMs
    const base = this.prng.between(min, max)
    return this.prng.chance(this.faults.reorder) ? base + this.prng.between(max, 4 * max) : base
  }

  private deliverLater(from: string, to: string, bytes: Uint8Array, kind: string, delay: number): void {
    const inbox = this.endpoints.get(to)?.inbox
    this.time.schedule(this.time.now + delay, () => {
      if (
        this.cut.has(`${from}>${to}`) || this.endpoints.get(to)?.inbox !== inbox || inbox === undefined ||
        this.unconnected(from, to)
      ) {
        this.trace.counts.dropped++
        return
      }
      this.trace.counts.delivered++
      this.lastDeliveredKind = kind
      this.trace.line(this.time.now, `${from}>${to} ${kind} ${bytes.byteLength}`)
      this.trace.bytes(bytes)
      inbox.offer({ from, bytes })
    })
  }
}
