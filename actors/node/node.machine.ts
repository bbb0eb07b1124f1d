/**
 * The lifecycle of one cluster member as this node sees it, SWIM-style: a member suspected
 * at some incarnation is alive again only when it refutes with a higher incarnation, and a
 * dead member comes back only by rejoining with a higher one. The incarnation is what lets a
 * node that was merely cut off disprove the rumour of its death.
 */
import { Schema } from "effect"
import type { SnapshotFrom } from "xstate"
import { assertEvent, assign, setup } from "xstate"
import { pureInitial, pureStep, refusingTransition } from "../lifecycle/transition.ts"

export const NodeState = Schema.Literal("joining", "alive", "suspect", "dead", "leaving", "left")
export type NodeState = typeof NodeState.Type

export const NodeLifecycleContext = Schema.Struct({
  /** The highest incarnation heard of for this member. */
  incarnation: Schema.Number
})
export type NodeLifecycleContext = typeof NodeLifecycleContext.Type

/** What a node actor stores to resume a member's lifecycle after a restart. */
export const PersistedNodeLifecycle = Schema.Struct({
  state: NodeState,
  context: NodeLifecycleContext
})
export type PersistedNodeLifecycle = typeof PersistedNodeLifecycle.Type

export type NodeEvent =
  | { readonly type: "Joined" }
  | { readonly type: "Suspect"; readonly incarnation: number }
  | { readonly type: "Refute"; readonly incarnation: number }
  | { readonly type: "ConfirmDead" }
  | { readonly type: "Rejoin"; readonly incarnation: number }
  | { readonly type: "Leave" }
  | { readonly type: "Left" }

export const nodeMachine = setup({
  types: {
    context: {} as NodeLifecycleContext,
    events: {} as NodeEvent
  },
  actions: {
    recordIncarnation: assign(({ event }) => {
      assertEvent(event, ["Suspect", "Refute", "Rejoin"])
      return { incarnation: event.incarnation }
    })
  },
  guards: {
    /** Refutations and rejoins must outbid the incarnation they answer. */
    newerIncarnation: ({ context, event }) => "incarnation" in event && event.incarnation > context.incarnation,
    /** A suspicion of the current incarnation stands: it is the one that stopped answering. */
    currentIncarnation: ({ context, event }) => "incarnation" in event && event.incarnation >= context.incarnation
  }
}).createMachine({
  id: "node",
  initial: "joining",
  context: { incarnation: 0 },
  states: {
    joining: {
      on: { Joined: { target: "alive" } }
    },
    alive: {
      on: {
        Suspect: { guard: "currentIncarnation", target: "suspect", actions: "recordIncarnation" },
        // An alive member bumps its incarnation to refute rumours we may not have heard yet.
        Refute: { guard: "newerIncarnation", actions: "recordIncarnation" },
        Leave: { target: "leaving" }
      }
    },
    suspect: {
      on: {
        Refute: { guard: "newerIncarnation", target: "alive", actions: "recordIncarnation" },
        Suspect: { guard: "newerIncarnation", actions: "recordIncarnation" },
        ConfirmDead: { target: "dead" },
        // A member's own leave announcement outranks a rumour about it.
        Leave: { target: "leaving" }
      }
    },
    dead: {
      on: { Rejoin: { guard: "newerIncarnation", target: "alive", actions: "recordIncarnation" } }
    },
    leaving: {
      on: { Left: { target: "left" } }
    },
    left: { type: "final" }
  }
})

export type NodeSnapshot = SnapshotFrom<typeof nodeMachine>

/** A member that was just seen for the first time: `joining` at incarnation 0. */
export const initialNode = (): NodeSnapshot => pureInitial(nodeMachine)

/**
 * Feeds one event to a member's lifecycle: the next snapshot, or `IllegalTransition` when the
 * event does not apply (wrong state, or an incarnation that does not outbid the known one).
 */
export const transitionNode = refusingTransition<NodeSnapshot, NodeEvent>({
  machine: "node",
  step: pureStep(nodeMachine),
  detail: (snapshot, event) => {
    // Only a failed incarnation guard refuses an event that the state does handle.
    const handled = nodeMachine.states[snapshot.value]?.ownEvents.includes(event.type) ?? false
    if (!handled || !("incarnation" in event)) return undefined
    const known = snapshot.context.incarnation
    return event.type === "Suspect" && snapshot.value === "alive"
      ? `incarnation ${event.incarnation} is older than the known ${known}`
      : `incarnation ${event.incarnation} is not above the known ${known}`
  }
})

export const nodeObservedState = (snapshot: NodeSnapshot): NodeState => snapshot.value

export const persistNode = (snapshot: NodeSnapshot): PersistedNodeLifecycle => ({
  state: snapshot.value,
  context: snapshot.context
})

export const restoreNode = (persisted: PersistedNodeLifecycle): NodeSnapshot =>
  nodeMachine.resolveState({ value: persisted.state, context: persisted.context })
