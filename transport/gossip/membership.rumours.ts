/**
 * How a rumour about another member changes this node's view of it. The member's lifecycle
 * machine (actors/node/node.machine.ts) decides which changes exist; this module only
 * translates a rumour into the machine's events and skips the machine for the common case of
 * a rumour that repeats what is already known.
 */
import { Either } from "effect"
import type { NodeEvent, NodeSnapshot, NodeState } from "../../actors/node/node.machine.ts"
import { nodeObservedState, restoreNode, transitionNode } from "../../actors/node/node.machine.ts"
import type { MemberStatus, MemberUpdate } from "./gossip.wire.ts"
import { type MemberView, statusOf } from "./membershipView.ts"

export interface Member {
  readonly node: string
  readonly zone: string
  readonly lifecycle: NodeSnapshot
  readonly status: MemberStatus
  readonly incarnation: number
  readonly changedAt: number
}

const fromSnapshot = (node: string, zone: string, lifecycle: NodeSnapshot, changedAt: number): Member => ({
  node,
  zone,
  lifecycle,
  status: statusOf(nodeObservedState(lifecycle)),
  incarnation: lifecycle.context.incarnation,
  changedAt
})

/*
 * The machine is pure and a snapshot holds nothing but its state and incarnation, so every
 * member in one state at one incarnation shares one snapshot, and one step from it is the
 * same whoever the member is. Every node steps its machine for every rumour it hears, and
 * xstate builds a whole actor scope per step: remembering the steps makes a rumour cost a
 * lookup. Both caches start afresh when full, since incarnations only grow.
 */
const cacheLimit = 4096
const snapshots = new Map<string, NodeSnapshot>()
const steps = new Map<string, Either.Either<NodeSnapshot, unknown>>()

const remembered = <A>(cache: Map<string, A>, key: string, make: () => A): A => {
  const known = cache.get(key)
  if (known !== undefined) return known
  if (cache.size >= cacheLimit) cache.clear()
  const made = make()
  cache.set(key, made)
  return made
}

const restored = (state: NodeState, incarnation: number): NodeSnapshot =>
  remembered(snapshots, `${state} ${incarnation}`, () => restoreNode({ state, context: { incarnation } }))

const step = (lifecycle: NodeSnapshot, event: NodeEvent) =>
  remembered(
    steps,
    `${lifecycle.value} ${lifecycle.context.incarnation} ${event.type} ${"incarnation" in event ? event.incarnation : ""}`,
    () => transitionNode(lifecycle, event)
  )

/** A member known from configuration or first heard of: assumed alive until probes say otherwise. */
export const newMember = (node: string, zone: string, now: number): Member =>
  fromSnapshot(node, zone, restored("alive", 0), now)

export const memberFromView = (view: MemberView): Member =>
  fromSnapshot(view.node, view.zone, restored(view.state, view.incarnation), view.changedAt)

export const memberToView = (member: Member): MemberView => ({
  node: member.node,
  zone: member.zone,
  state: nodeObservedState(member.lifecycle),
  incarnation: member.incarnation,
  changedAt: member.changedAt
})

export const rumourOf = (member: Member): MemberUpdate => ({
  node: member.node,
  zone: member.zone,
  status: member.status,
  incarnation: member.incarnation
})

/**
 * The machine events a rumour stands for, given what is known of the member. Events the
 * machine would refuse (a rumour that outbids nothing) are left out here, since a refusal is
 * the expensive path through xstate; the machine still guards every event it gets.
 */
const eventsFor = (known: Member, rumour: MemberUpdate): ReadonlyArray<NodeEvent> => {
  const incarnation = rumour.incarnation
  const newer = incarnation > known.incarnation
  switch (rumour.status) {
    case "alive":
      return !newer ? [] : [known.status === "dead" ? { type: "Rejoin", incarnation } : { type: "Refute", incarnation }]
    case "suspect":
      return known.status === "alive" || (known.status === "suspect" && newer) ? [{ type: "Suspect", incarnation }] : []
    case "dead":
      return known.status === "dead"
        ? []
        : known.status === "suspect" && !newer
        ? [{ type: "ConfirmDead" }]
        : [{ type: "Suspect", incarnation }, { type: "ConfirmDead" }]
  }
}

/**
 * The member after hearing `rumour`, or `undefined` when the rumour changes nothing (it is
 * older, repeats what is known, or the machine refuses it).
 */
export const applyRumour = (member: Member, rumour: MemberUpdate, now: number): Member | undefined => {
  if (rumour.incarnation < member.incarnation) return undefined
  if (rumour.incarnation === member.incarnation && rumour.status === member.status) return undefined
  let lifecycle = member.lifecycle
  let changed = false
  for (const event of eventsFor(member, rumour)) {
    const next = step(lifecycle, event)
    if (Either.isRight(next)) {
      lifecycle = next.right
      changed = true
    }
  }
  if (!changed) return undefined
  const zone = rumour.zone === "" ? member.zone : rumour.zone
  return fromSnapshot(member.node, zone, lifecycle, now)
}
