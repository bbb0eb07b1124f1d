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

export type ZoneEvent =
  | { readonly type: "MemberUpdated"; readonly node: NodeId; readonly health: MemberHealth }
  | { readonly type: "MemberRemoved"; readonly node: NodeId }

export interface ZoneInput {
  readonly name: string
}

const anyAlive = (members: ZoneLifecycleContext["members"]): boolean =>
  Object.values(members).some((health) => health === "alive")

export const zoneMachine = setup({
  types: {
    context: {} as ZoneLifecycleContext,
    events: {} as ZoneEvent,
    input: {} as ZoneInput
  },
  actions: {
    updateMember: assign(({ context, event }) => {
      assertEvent(event, "MemberUpdated")
      return { members: { ...context.members, [event.node]: event.health } }
    }),
    removeMember: assign(({ context, event }) => {
      assertEvent(event, "MemberRemoved")
      return {
        members: Object.fromEntries(Object.entries(context.members).filter(([node]) => node !== event.node))
      }
    })
  },
  guards: {
    anyMemberAlive: ({ context }) => anyAlive(context.members),
    isMember: ({ context, event }) => Object.hasOwn(context.members, event.node)
  }
}).createMachine({
  id: "zone",
  initial: "degraded",
  context: ({ input }) => ({ name: input.name, members: {} }),
  on: {
    MemberUpdated: { actions: "updateMember" },
    MemberRemoved: { guard: "isMember", actions: "removeMember" }
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
 * Feeds one membership change to a zone: the next snapshot, or `IllegalTransition` when it
 * removes a node that is not a member.
 */
export const transitionZone = refusingTransition<ZoneSnapshot, ZoneEvent>({
  machine: "zone",
  step: pureStep(zoneMachine),
  detail: (snapshot, event) => `node ${event.node} is not a member of zone ${snapshot.context.name}`
})

export const zoneObservedState = (snapshot: ZoneSnapshot): ZoneState => snapshot.value

/** Rebuilds a zone from its members; the state is derived from them, never stored. */
export const restoreZone = (context: ZoneLifecycleContext): ZoneSnapshot =>
  zoneMachine.resolveState({ value: anyAlive(context.members) ? "serving" : "degraded", context })
