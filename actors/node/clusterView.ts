import type { Effect, Stream } from "effect"
import { Context } from "effect"

export type MemberState = "joining" | "alive" | "suspect" | "dead" | "leaving" | "left"

export interface Member {
  readonly id: string
  readonly zone: string
  readonly mode: "standalone" | "cluster" | "leaf"
  readonly state: MemberState
  readonly incarnation: number
  /**
   * Virtual or wall ms of the last message this node had from it; absent while it has sent
   * none (heard of by gossip alone). This node's own entry says now.
   */
  readonly lastContact?: number
  /** How many live spaces it owns, for placement. */
  readonly spaces: number
  /** The name its node record gives, once it has arrived. */
  readonly name?: string
  /**
   * Its node record has arrived, so its zone and mode are its own word. A member heard of by
   * gossip alone may be a leaf that has not said so yet: it is never chosen for a space.
   */
  readonly announced: boolean
  /**
   * A leaf linked to another cluster node: its state is that node's word, from its node record,
   * since a leaf gossips with its origin alone.
   */
  readonly via?: string
}

export type MemberZone = Pick<Member, "id" | "zone" | "state">

/**
 * This node's view of the cluster: itself plus what membership gossip says of the others.
 * In standalone mode it holds this node alone. Placement and `knot cluster status` read it.
 */
export interface ClusterViewShape {
  readonly self: Effect.Effect<Member>
  readonly members: Effect.Effect<ReadonlyArray<Member>>
  /**
   * Each member's zone and state, as `members` gives them, without the spaces each owns (which
   * reads every space record): what the zones are refreshed from, every few seconds.
   */
  readonly memberZones: Effect.Effect<ReadonlyArray<MemberZone>>
  /**
   * A signal each time `members` may read differently: a member's state or incarnation, a
   * node record (name, zone, mode), a space placed or removed. Not for last contact, which moves
   * with every message. Whoever shows the cluster waits on it instead of looking again and again.
   */
  readonly changes: Stream.Stream<void>
}

export class ClusterView extends Context.Tag("knot/ClusterView")<ClusterView, ClusterViewShape>() {}
