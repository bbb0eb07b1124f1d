/**
 * What this node believes about the cluster, shared by the membership actor (its only
 * writer), anti-entropy (which picks peers from it) and whoever else watches the cluster
 * (zone actors, the simulator's checker). It belongs to the node, not to the membership
 * actor: a restarted membership actor picks up from it instead of forgetting the cluster.
 */
import { Effect, SubscriptionRef } from "effect"
import type { NodeState } from "../../actors/node/node.machine.ts"
import type { MemberStatus } from "./gossip.wire.ts"

export interface MemberView {
  readonly node: string
  readonly zone: string
  /** The member's lifecycle state (node.machine). */
  readonly state: NodeState
  readonly incarnation: number
  /** When this node last saw the member change state (its own clock). */
  readonly changedAt: number
}

export interface MembershipSnapshot {
  readonly self: string
  readonly zone: string
  /** This node's own incarnation, raised to refute rumours of its failure. */
  readonly incarnation: number
  /** Every other member this node has heard of. */
  readonly members: ReadonlyMap<string, MemberView>
  /**
   * The members this node talks to (overlay.ts): all of them in a small cluster, O(log n) in a
   * large one. Absent where nothing draws them (a leaf's view): every reachable member.
   */
  readonly links?: ReadonlyArray<string>
  /**
   * The leaves linked to this node: members it alone reaches, kept out of the ring, so out of
   * the tree a write spreads down; this node hands them each write itself.
   */
  readonly leaves?: ReadonlySet<string>
}

export type MembershipView = SubscriptionRef.SubscriptionRef<MembershipSnapshot>

export const makeMembershipView = (self: string, zone: string): Effect.Effect<MembershipView> =>
  SubscriptionRef.make<MembershipSnapshot>({ self, zone, incarnation: 0, members: new Map() })

/**
 * When each member last sent this node anything (this node's clock), beside the view rather
 * than in it: it changes with every message, and the view's subscribers wake only for changes
 * of state. The membership actor writes it; `knot cluster status` shows it as LAST CONTACT.
 */
const contacts = new WeakMap<MembershipView, Map<string, number>>()

export const lastContacts = (view: MembershipView): Map<string, number> => {
  const known = contacts.get(view)
  if (known !== undefined) return known
  const made = new Map<string, number>()
  contacts.set(view, made)
  return made
}

/** What a lifecycle state means to the protocol: leaving members still answer, left ones do not. */
export const statusOf = (state: NodeState): MemberStatus =>
  state === "suspect" ? "suspect" : state === "dead" || state === "left" ? "dead" : "alive"

/** The reachable members this node talks to: its links, or all of them where it has none drawn. */
export const reachableLinks = (snapshot: MembershipSnapshot): Array<string> => {
  if (snapshot.links === undefined) return reachableMembers(snapshot)
  return snapshot.links.filter((node) => {
    const member = snapshot.members.get(node)
    return member !== undefined && statusOf(member.state) !== "dead"
  })
}

/** Members that take part in anti-entropy: alive or merely suspected. */
export const reachableMembers = (snapshot: MembershipSnapshot): Array<string> => {
  const out: Array<string> = []
  for (const member of snapshot.members.values()) if (statusOf(member.state) !== "dead") out.push(member.node)
  return out
}
