/**
 * The simulated network: one `Transport` per node over virtual time. Every frame gets a
 * latency drawn from the seed and may be dropped, duplicated or held back past later frames
 * (reordered); links can be cut in one direction or both (partitions, an isolated node, an
 * isolated zone) and healed. A cut is checked when a frame is sent and again when it would
 * arrive, so a partition also swallows what was in flight. A node that is down (crashed)
 * receives nothing, and a restarted node never sees frames sent to its previous incarnation.
 */
import { Effect, Queue, Stream } from "effect"
import type { Incoming, PeerEvent, TransportShape } from "../transport/transport.ts"
import type { VirtualTime } from "./clock.ts"
import type { Prng } from "./prng.ts"
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
}

interface Endpoint {
  readonly zone: string
  inbox: Queue.Queue<Incoming> | undefined
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

  constructor(
    private readonly time: VirtualTime,
    private readonly prng: Prng,
    private readonly trace: Trace,
    private readonly options: NetworkOptions
  ) {
    this.faults = options.faults
  }

  /** Makes a node known (its address is configured on every other node). */
  register(node: string, zone: string): void {
    this.endpoints.set(node, { zone, inbox: undefined })
    this.traffic.set(node, { messages: 0, bytes: 0 })
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
    return Effect.map(Queue.unbounded<Incoming>(), (inbox) => {
      endpoint.inbox = inbox
      const others = () => this.nodes.filter((peer) => peer !== node)
      return {
        self: node,
        send: (peer, bytes) => Effect.sync(() => this.send(node, peer, bytes)),
        incoming: Stream.fromQueue(inbox),
        peerEvents: Stream.empty as Stream.Stream<PeerEvent>,
        connected: Effect.sync(others),
        drop: (peer, reason) =>
          Effect.sync(() => {
            this.trace.line(this.time.now, `drop-peer ${node}>${peer} ${reason}`)
          })
      }
    })
  }

  /** The node is down: frames to it are lost until it attaches again. */
  detach(node: string): Effect.Effect<void> {
    return Effect.suspend(() => {
      const endpoint = this.endpoints.get(node)
      const inbox = endpoint?.inbox
      if (endpoint !== undefined) endpoint.inbox = undefined
      return inbox === undefined ? Effect.void : Queue.shutdown(inbox)
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
    if (this.cut.has(`${from}>${to}`) || this.endpoints.get(to)?.inbox === undefined) {
      counts.dropped++
      return
    }
    if (this.prng.chance(this.faults.drop)) {
      counts.dropped++
      return
    }
    this.deliverLater(from, to, bytes, this.latency())
    if (this.prng.chance(this.faults.duplicate)) {
      counts.duplicated++
      this.deliverLater(from, to, bytes, this.latency())
    }
  }

  private latency(): number {
    const { max, min } = this.options.latencyMs
    const base = this.prng.between(min, max)
    return this.prng.chance(this.faults.reorder) ? base + this.prng.between(max, 4 * max) : base
  }

  private deliverLater(from: string, to: string, bytes: Uint8Array, delay: number): void {
    const inbox = this.endpoints.get(to)?.inbox
    this.time.schedule(this.time.now + delay, () => {
      if (this.cut.has(`${from}>${to}`) || this.endpoints.get(to)?.inbox !== inbox || inbox === undefined) {
        this.trace.counts.dropped++
        return
      }
      this.trace.counts.delivered++
      this.trace.line(this.time.now, `${from}>${to} ${this.options.describe(bytes)} ${bytes.byteLength}`)
      this.trace.bytes(bytes)
      Queue.unsafeOffer(inbox, { from, bytes })
    })
  }
}
