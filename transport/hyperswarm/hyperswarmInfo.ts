import type { Effect } from "effect"
import { Context } from "effect"
import type { PeerId } from "../transport.ts"

export interface LinkInfo {
  readonly peer: PeerId
  /** The peer's Noise public key, lowercase hex (what its peers list in `[cluster] peers`). */
  readonly publicKey: string
  /** Epoch milliseconds (Effect Clock) when the link authenticated. */
  readonly connectedSince: number
  /** Epoch milliseconds of the last frame received from the peer; undefined before the first. */
  readonly lastFrameAt: number | undefined
  /** Which end dialed the connection that carries the link. */
  readonly dialedBy: "self" | "peer"
  /** The leaf's name when the peer is a leaf linked by its credential. */
  readonly leaf?: string
}

/** A connection closed before or instead of becoming a link: wrong cluster key, silence, protocol breach. */
export interface Rejection {
  readonly publicKey: string
  readonly reason: string
  readonly at: number
}

/** The outcome of this node's latest announce-and-lookup on the cluster's DHT topic. */
export interface Announcement {
  readonly at: number
  /** False when the DHT could not be reached: peers cannot find this node, nor it them. */
  readonly ok: boolean
}

/** What `knot cluster status` shows of the Hyperswarm transport, beyond the Transport itself. */
export interface HyperswarmInfoShape {
  readonly publicKey: string
  /** Undefined until the first announce on the cluster's topic has finished. */
  readonly announcement: Effect.Effect<Announcement | undefined>
  readonly links: Effect.Effect<ReadonlyArray<LinkInfo>>
  /** The most recent rejected connections, newest last (a bounded list). */
  readonly rejections: Effect.Effect<ReadonlyArray<Rejection>>
  /** Incoming connections open now that have not authenticated yet. */
  readonly awaitingHello: Effect.Effect<number>
  /** Peers whose connections are refused before their handshake until `until` (epoch ms), for failing one. */
  readonly banned: Effect.Effect<ReadonlyArray<{ readonly publicKey: string; readonly until: number }>>
}

export class HyperswarmInfo extends Context.Tag("knot/HyperswarmInfo")<HyperswarmInfo, HyperswarmInfoShape>() {}
