/**
 * A zone as one node sees it: its members and their health. Whether the zone can take
 * spaces follows from the members alone: `serving` while at least one is alive, `degraded`
 * when none is. The state is never set directly; `always` transitions re-derive it after
 * every membership change.
 */
import { Schema } from "effect"
import type { SnapshotFrom } from "xstate"
import { assertEvent, assign, not, setup } from "xstate"
import { NodeId } from "../../storage/record.ts"
import { pureInitial, pureStep, refusingTransition } from "../lifecycle/transition.ts"

export const ZoneState = Schema.Literal("serving", "degraded")
export type ZoneState = typeof ZoneState.Type

export const MemberHealth = Schema.Literal("alive", "suspect", "dead", "left")
export type MemberHealth = typeof MemberHealth.Type

export const ZoneLifecycleContext = Schema.Struct({
  name: Schema.String,
  members: Schema.Record({ key: NodeId, value: MemberHealth })
})
export type ZoneLifecycleContext = typeof ZoneLifecycleContext.Type

/**
 * Every change a look at the cluster found, as one event: a zone of n members told k changes
 * one event at a time would copy its members k times, and a node's first look at a large
 * cluster finds nearly every member new.
 */
export interface ZoneEvent {
  readonly type: "MembersChanged"
  readonly updated: Readonly<Record<NodeId, MemberHealth>>
  readonly removed: ReadonlyArray<NodeId>
}

export interface ZoneInput {
  readonly name: string
}

const anyAlive = (members: ZoneLifecycleContext["members"]): boolean =>
  Object.values(members).some((health) => health === "alive")

/** A node the event removes that is not a member, if any: such an event is refused whole. */
const notAMember = (context: ZoneLifecycleContext, event: ZoneEvent): NodeId | undefined =>
  event.removed.find((node) => !Object.hasOwn(context.members, node))

export const zoneMachine = setup({
  types: {
    context: {} as ZoneLifecycleContext,
    events: {} as ZoneEvent,
    input: {} as ZoneInput
  },
  actions: {
    changeMembers: assign(({ context, event }) => {
      assertEvent(event, "MembersChanged")
      const members: Record<string, MemberHealth> = { ...context.members, ...event.updated }
      for (const node of event.removed) delete members[node]
      return { members }
    })
  },
  guards: {
    anyMemberAlive: ({ context }) => anyAlive(context.members),
    removesMembersOnly: ({ context, event }) => notAMember(context, event) === undefined
  }
}).createMachine({
  id: "zone",
  initial: "degraded",
  context: ({ input }) => ({ name: input.name, members: {} }),
  on: {
    MembersChanged: { guard: "removesMembersOnly", actions: "changeMembers" }
  },
  states: {
    serving: {
      always: { guard: not("anyMemberAlive"), target: "degraded" }
    },
    degraded: {
      always: { guard: "anyMemberAlive", target: "serving" }
    }
  }
})

export type ZoneSnapshot = SnapshotFrom<typeof zoneMachine>

/** A zone with no members yet, hence `degraded`. */
export const initialZone = (input: ZoneInput): ZoneSnapshot => pureInitial(zoneMachine, input)

/**
 * Feeds the membership changes to a zone: the next snapshot, or `IllegalTransition` when they
 * remove a node that is not a member.
 */
export const transitionZone = refusingTransition<ZoneSnapshot, ZoneEvent>({
  machine: "zone",
  step: pureStep(zoneMachine),
  detail: (snapshot, event) => `node ${notAMember(snapshot.context, event)} is not a member of zone ${snapshot.context.name}`
})

export const zoneObservedState = (snapshot: ZoneSnapshot): ZoneState => snapshot.value

/** Rebuilds a zone from its members; the state is derived from them, never stored. */
export const restoreZone = (context: ZoneLifecycleContext): ZoneSnapshot =>
  zoneMachine.resolveState({ value: anyAlive(context.members) ? "serving" : "degraded", context })
