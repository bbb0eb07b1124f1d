/**
 * The ZoneActor: this node's view of one zone (`node/zone:<name>`), its members and whether
 * it can take spaces. The node actor tells it the zone's full membership whenever it reads
 * the cluster view; the zone's lifecycle (zone.machine.ts) derives serving / degraded.
 */
import { Effect, Either } from "effect"
import { NodeId } from "../../storage/record.ts"
import type { MemberState } from "../node/clusterView.ts"
import type { Reply } from "../runtime/actorRef.ts"
import type { Behaviour } from "../runtime/behaviour.ts"
import type { MemberHealth, ZoneEvent, ZoneSnapshot, ZoneState } from "./zone.machine.ts"
import { initialZone, transitionZone, zoneObservedState } from "./zone.machine.ts"

export interface ZoneMember {
  readonly node: string
  readonly health: MemberHealth
}

export interface ZoneStatus {
  readonly name: string
  readonly state: ZoneState
  readonly members: Readonly<Record<string, MemberHealth>>
}

export type ZoneMessage =
  /** Every member of the zone as the node sees it now; members left out are removed. */
  | { readonly _tag: "Members"; readonly members: ReadonlyArray<ZoneMember> }
  | { readonly _tag: "Status"; readonly reply: Reply<ZoneStatus> }

export const zoneActorName = (zone: string) => `zone:${zone}`

/**
 * A member's health for its zone: only an alive member can take spaces; one that is joining
 * or leaving is not counted on yet or any more, like a suspect one.
 */
export const healthOf = (state: MemberState): MemberHealth => {
  switch (state) {
    case "alive":
    case "suspect":
    case "dead":
    case "left":
      return state
    case "joining":
    case "leaving":
      return "suspect"
  }
}

/** The event that turns the zone's members into `members`; undefined when they are so already. */
const changeTo = (snapshot: ZoneSnapshot, members: ReadonlyArray<ZoneMember>): ZoneEvent | undefined => {
  const known: Readonly<Record<string, MemberHealth>> = snapshot.context.members
  const updated: Record<NodeId, MemberHealth> = {}
  let changes = 0
  for (const member of members) {
    if (known[member.node] !== member.health) {
      updated[NodeId.make(member.node)] = member.health
      changes++
    }
  }
  const listed = new Set(members.map((member) => member.node))
  const removed = Object.keys(known).filter((node) => !listed.has(node)).map((node) => NodeId.make(node))
  return changes === 0 && removed.length === 0 ? undefined : { type: "MembersChanged", updated, removed }
}

export const zoneActor = (name: string): Behaviour<ZoneMessage, ZoneSnapshot> => ({
  init: () => Effect.succeed(initialZone({ name })),
  receive: (snapshot, msg) => {
    switch (msg._tag) {
      case "Members": {
        // The machine accepts the event: it removes members only.
        const change = changeTo(snapshot, msg.members)
        const next = change === undefined ? snapshot : Either.getOrElse(transitionZone(snapshot, change), () => snapshot)
        const before = zoneObservedState(snapshot)
        const after = zoneObservedState(next)
        const log = before === after
          ? Effect.void
          : after === "degraded"
          ? Effect.logWarning(`zone ${name} is degraded: no alive node`)
          : Effect.logDebug(`zone ${name} is serving`)
        return Effect.as(log, next)
      }
      case "Status":
        return Effect.as(
          msg.reply.succeed({ name, state: zoneObservedState(snapshot), members: snapshot.context.members }),
          snapshot
        )
    }
  }
})
