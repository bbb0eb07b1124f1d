import { Data, type Effect } from "effect"
import type { MemberStatus } from "./gossip.wire.ts"

/** What the gossip actors report as it happens: for logs, metrics and the simulator's trace. */
export type GossipEvent = Data.TaggedEnum<{
  /** This node changed its view of `member`. */
  MemberChanged: {
    readonly member: string
    readonly from: MemberStatus
    readonly to: MemberStatus
    readonly incarnation: number
  }
  /** A rumour said this node was `rumour`; it raised its incarnation to deny it. */
  Refuted: { readonly rumour: MemberStatus; readonly incarnation: number }
  /** A peer's records were refused by the store (e.g. its clock is too far ahead). */
  SyncRefused: { readonly peer: string; readonly reason: string }
  /** Records a peer sent were dropped on receipt; reported once per peer and kind. */
  RecordsRefused: { readonly peer: string; readonly kind: string; readonly reason: string }
  /**
   * On a leaf: its origin sent its own leaf record changed (added, or added again with other
   * users or zone), so it forgot the watermarks of `forgotten` origins and dropped `dropped`
   * tombstones of others, to be sent its new share, and removed the `evicted` records it held
   * outside that share.
   */
  ShareChanged: { readonly leaf: string; readonly forgotten: number; readonly dropped: number; readonly evicted: number }
  /** A peer sent a frame that broke the protocol and was disconnected. */
  PeerDropped: { readonly peer: string; readonly reason: string }
}>

export const GossipEvent = Data.taggedEnum<GossipEvent>()

export type GossipEventSink = (event: GossipEvent) => Effect.Effect<void>
