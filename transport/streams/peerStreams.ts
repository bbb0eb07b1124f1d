import type { Effect, Scope, Stream } from "effect"
import { Context, Data } from "effect"
import type { PeerId } from "../transport.ts"

/** The channel broke: the peer's link closed, the peer stopped answering, or it broke the protocol. */
export class ChannelBroken extends Data.TaggedError("ChannelBroken")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** Bytes count against the flow-control window; control messages are small and do not. */
export type ChannelMessage =
  | { readonly _tag: "Data"; readonly bytes: Uint8Array }
  | { readonly _tag: "Control"; readonly text: string }

/**
 * One stream between two linked nodes, multiplexed on their authenticated connection. The
 * receiver grants credit as its consumer takes data, so a sender never has more than a window
 * of bytes in flight and a slow consumer holds back its producer instead of filling memory.
 */
export interface PeerChannel {
  readonly peer: PeerId
  /** On a cluster node, when the peer is a leaf: the leaf's name (its authority is checked by it). */
  readonly leaf: string | undefined
  /** Ends when the peer closes the channel; fails if it breaks. */
  readonly received: Stream.Stream<ChannelMessage, ChannelBroken>
  /** The next message of `received` (one reader at a time); `undefined` once the peer closed the channel. */
  readonly next: Effect.Effect<ChannelMessage | undefined, ChannelBroken>
  /** Waits while the peer has granted no credit. */
  readonly sendData: (bytes: Uint8Array) => Effect.Effect<void, ChannelBroken>
  readonly sendControl: (text: string) => Effect.Effect<void, ChannelBroken>
  /** Ends the channel after everything sent so far; the peer's `received` ends. */
  readonly close: Effect.Effect<void>
}

/** A channel a peer opened, with the header it opened it with. Closing `scope` ends it (breaks it if unfinished). */
export interface AcceptedStream {
  readonly header: string
  readonly channel: PeerChannel
  readonly scope: Scope.CloseableScope
}

/**
 * Streams between nodes, over the links the Transport already holds. `open` is for a peer
 * this node reaches (`reaches`); `accepted` yields each channel a peer opens, with the header it
 * opened it with. A channel closes with the scope it was opened or accepted in.
 */
export interface PeerStreamsShape {
  readonly open: (peer: PeerId, header: string) => Effect.Effect<PeerChannel, ChannelBroken, Scope.Scope>
  readonly accepted: Stream.Stream<AcceptedStream>
  /**
   * Whether `open` can reach `peer`: this node has a link to it now or, past the full mesh,
   * knows how to dial it.
   */
  readonly reaches: (peer: PeerId) => Effect.Effect<boolean>
}

export class PeerStreams extends Context.Tag("knot/PeerStreams")<PeerStreams, PeerStreamsShape>() {}
