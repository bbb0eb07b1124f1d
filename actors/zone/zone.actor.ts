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

/** The events that turn the zone's members into `members`. */
const eventsFor = (snapshot: ZoneSnapshot, members: ReadonlyArray<ZoneMember>): Array<ZoneEvent> => {
  const known: Readonly<Record<string, MemberHealth>> = snapshot.context.members
  const events: Array<ZoneEvent> = []
  for (const member of members) {
    if (known[member.node] !== member.health) {
      events.push({ type: "MemberUpdated", node: NodeId.make(member.node), health: member.health })
    }
  }
  const listed = new Set(members.map((member) => member.node))
  for (const node of Object.keys(known)) {
    if (!listed.has(node)) events.push({ type: "MemberRemoved", node: NodeId.make(node) })
  }
  return events
}

export const zoneActor = (name: string): Behaviour<ZoneMessage, ZoneSnapshot> => ({
  init: () => Effect.succeed(initialZone({ name })),
  receive: (snapshot, msg) => {
    switch (msg._tag) {
      case "Members": {
        // Every event is one the machine accepts: updates always, removals only of members.
        const next = eventsFor(snapshot, msg.members).reduce(
          (current, event) => Either.getOrElse(transitionZone(current, event), () => current),
          snapshot
        )
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
