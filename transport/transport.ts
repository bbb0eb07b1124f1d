import type { Effect, Stream } from "effect"
import { Context } from "effect"
import type { TransportError } from "./transport.errors.ts"

/** A peer's identity: the same string as its node id in record versions. */
export type PeerId = string

export interface Incoming {
  readonly from: PeerId
  readonly bytes: Uint8Array
}

export type PeerEvent =
  | { readonly _tag: "PeerUp"; readonly peer: PeerId }
  | { readonly _tag: "PeerDown"; readonly peer: PeerId; readonly reason: string }

/**
 * Moves opaque frames between this node and its peers. The simulated layer
 * (simulations/) and the Hyperswarm layer (transport/hyperswarm) implement it; the gossip
 * actors see nothing else of the network.
 */
export interface TransportShape {
  readonly self: PeerId
  /** Best effort: a frame to an unknown or disconnected peer is dropped, as on a network. */
  readonly send: (peer: PeerId, bytes: Uint8Array) => Effect.Effect<void, TransportError>
  readonly incoming: Stream.Stream<Incoming>
  readonly peerEvents: Stream.Stream<PeerEvent>
  /** Peers currently connected (and authenticated, where the layer authenticates). */
  readonly connected: Effect.Effect<ReadonlyArray<PeerId>>
  /** Closes the link to a peer that broke the protocol. */
  readonly drop: (peer: PeerId, reason: string) => Effect.Effect<void>
  /**
   * On a transport that holds a connection per peer (Hyperswarm): the peers gossip talks to,
   * from its partial view (undefined: every peer, a full mesh), and the public key each member
   * announces in its node record, by which it is dialed. Absent where every peer is reachable
   * as it is (the simulated network).
   */
  readonly keepLinks?: (wanted: ReadonlyArray<PeerId> | undefined, keys: ReadonlyMap<PeerId, string>) => Effect.Effect<void>
}

export class Transport extends Context.Tag("knot/Transport")<Transport, TransportShape>() {}
