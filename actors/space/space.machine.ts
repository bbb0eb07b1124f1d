/**
 * The lifecycle of one space, as a pure xstate machine. Users say what they want (`Start`,
 * `Stop`, `Delete` set `desired`); the space actor's effect side reports what happened to the
 * container (`Created`, `Started`, ... `Retry`). Each state names, in its `meta.effect`, the
 * one container operation the effect side must run while the machine is in it. A step whose
 * operation is in flight ends by following `desired`, so a wish that arrives mid-step is
 * acted on when the step completes rather than racing it.
 */
import { Schema } from "effect"
import type { SnapshotFrom } from "xstate"
import { assertEvent, assign, setup } from "xstate"
import { SpaceDesired } from "../../storage/kinds/space.ts"
import { SpaceObserved } from "../../storage/kinds/spaceStatus.ts"
import { pureInitial, pureStep, refusingTransition } from "../lifecycle/transition.ts"

/** The machine's states are exactly what the owner reports in a space's status record. */
export const SpaceState = SpaceObserved
export type SpaceState = typeof SpaceState.Type

export const DesiredSpaceState = SpaceDesired
export type DesiredSpaceState = typeof DesiredSpaceState.Type

export const SpaceLifecycleContext = Schema.Struct({
  desired: DesiredSpaceState,
  /** Bumped on every entry to `creating`; containers carry it as a label, so older ones are found and removed. */
  generation: Schema.Number,
  /** The container of the current generation, once `Created` reported it. */
  containerId: Schema.NullOr(Schema.String),
  /** Why the space last failed; cleared when a new attempt begins. */
  reason: Schema.NullOr(Schema.String),
  /** Failures since the space last reached what it wants; the effect side backs off and gives up by it. */
  attempts: Schema.Number
})
export type SpaceLifecycleContext = typeof SpaceLifecycleContext.Type

/** What a space actor stores to resume its lifecycle after a restart. */
export const PersistedSpaceLifecycle = Schema.Struct({
  state: SpaceState,
  context: SpaceLifecycleContext
})
export type PersistedSpaceLifecycle = typeof PersistedSpaceLifecycle.Type

export type SpaceEvent =
  | { readonly type: "Start" }
  | { readonly type: "Stop" }
  | { readonly type: "Delete" }
  | { readonly type: "Created"; readonly containerId: string }
  | { readonly type: "Started" }
  | { readonly type: "Stopped" }
  | { readonly type: "Deleted" }
  | { readonly type: "Failed"; readonly reason: string }
  | { readonly type: "ContainerExited"; readonly exitCode: number }
  | { readonly type: "ContainerGone" }
  | { readonly type: "Retry" }

/** The container operation a state asks of the effect side. */
export type SpaceEffect = "create-container" | "start-container" | "stop-container" | "remove-container" | "none"

const failureReason = (event: SpaceEvent): string => {
  assertEvent(event, ["Failed", "ContainerExited", "ContainerGone"])
  switch (event.type) {
    case "Failed":
      return event.reason
    case "ContainerExited":
      return `container exited with code ${event.exitCode}`
    case "ContainerGone":
      return "container disappeared from the engine"
  }
}

/** A failed step leaves the space failed, unless the user wants it gone: then removal goes ahead. */
const failOrDelete = [
  { guard: "wantsDeleted", target: "deleting" },
  { target: "failed", actions: "recordFailure" }
] as const

/** A stop ends by what the user wants now: a `Start` sent while stopping restarts the container. */
const afterStop = [
  { guard: "wantsDeleted", target: "deleting" },
  { guard: "wantsRunning", target: "starting" },
  { target: "stopped" }
] as const

export const spaceMachine = setup({
  types: {
    context: {} as SpaceLifecycleContext,
    events: {} as SpaceEvent,
    meta: {} as { readonly effect: SpaceEffect }
  },
  actions: {
    wantRunning: assign({ desired: "running" as const }),
    wantStopped: assign({ desired: "stopped" as const }),
    wantDeleted: assign({ desired: "deleted" as const }),
    beginAttempt: assign(({ context }) => ({ generation: context.generation + 1, containerId: null, reason: null })),
    recordContainer: assign(({ event }) => {
      assertEvent(event, "Created")
      return { containerId: event.containerId }
    }),
    recordFailure: assign(({ context, event }) => ({ reason: failureReason(event), attempts: context.attempts + 1 })),
    settle: assign({ attempts: 0, reason: null })
  },
  guards: {
    wantsRunning: ({ context }) => context.desired === "running",
    wantsStopped: ({ context }) => context.desired === "stopped",
    wantsDeleted: ({ context }) => context.desired === "deleted",
    notBeingDeleted: ({ context }) => context.desired !== "deleted"
  }
}).createMachine({
  id: "space",
  initial: "pending",
  // A new space wants nothing until a user starts it.
  context: { desired: "stopped", generation: 0, containerId: null, reason: null, attempts: 0 },
  states: {
    pending: {
      meta: { effect: "none" },
      on: {
        Start: { target: "creating", actions: "wantRunning" },
        Stop: { actions: "wantStopped" },
        Delete: { target: "deleting", actions: "wantDeleted" }
      }
    },
    creating: {
      meta: { effect: "create-container" },
      entry: "beginAttempt",
      on: {
        Start: { guard: "notBeingDeleted", actions: "wantRunning" },
        Stop: { guard: "notBeingDeleted", actions: "wantStopped" },
        Delete: { actions: "wantDeleted" },
        // A created container is not running, so a space that should stop is already stopped.
        Created: [
          { guard: "wantsDeleted", target: "deleting", actions: "recordContainer" },
          { guard: "wantsStopped", target: "stopped", actions: "recordContainer" },
          { target: "starting", actions: "recordContainer" }
        ],
        Failed: failOrDelete
      }
    },
    starting: {
      meta: { effect: "start-container" },
      on: {
        Start: { guard: "notBeingDeleted", actions: "wantRunning" },
        Stop: { guard: "notBeingDeleted", actions: "wantStopped" },
        Delete: { actions: "wantDeleted" },
        Started: [
          { guard: "wantsDeleted", target: "deleting" },
          { guard: "wantsStopped", target: "stopping" },
          { target: "running" }
        ],
        Failed: failOrDelete,
        // The container died before it was seen running; a space that should stop has what it wants.
        ContainerExited: [
          { guard: "wantsDeleted", target: "deleting" },
          { guard: "wantsStopped", target: "stopped" },
          { target: "failed", actions: "recordFailure" }
        ],
        ContainerGone: failOrDelete
      }
    },
    running: {
      meta: { effect: "none" },
      entry: "settle",
      on: {
        Start: { actions: "wantRunning" },
        Stop: { target: "stopping", actions: "wantStopped" },
        Delete: { target: "deleting", actions: "wantDeleted" },
        ContainerExited: { target: "failed", actions: "recordFailure" },
        ContainerGone: { target: "failed", actions: "recordFailure" }
      }
    },
    stopping: {
      meta: { effect: "stop-container" },
      on: {
        Start: { guard: "notBeingDeleted", actions: "wantRunning" },
        Stop: { guard: "notBeingDeleted", actions: "wantStopped" },
        Delete: { actions: "wantDeleted" },
        Stopped: afterStop,
        // Stopping is what makes a container exit: the exit is the stop completing.
        ContainerExited: afterStop,
        Failed: failOrDelete,
        ContainerGone: failOrDelete
      }
    },
    stopped: {
      meta: { effect: "none" },
      entry: "settle",
      on: {
        Start: { target: "starting", actions: "wantRunning" },
        Stop: { actions: "wantStopped" },
        Delete: { target: "deleting", actions: "wantDeleted" },
        ContainerGone: { target: "failed", actions: "recordFailure" }
      }
    },
    deleting: {
      // Removes the recorded container and any container of this space's older generations.
      meta: { effect: "remove-container" },
      on: {
        Delete: { actions: "wantDeleted" },
        Deleted: { target: "deleted" },
        ContainerGone: { target: "deleted" },
        Failed: { target: "failed", actions: "recordFailure" }
      }
    },
    deleted: {
      meta: { effect: "none" },
      type: "final"
    },
    failed: {
      // Retrying is the effect side's job: it sends `Retry` on its backoff schedule.
      meta: { effect: "none" },
      on: {
        // A failed container is in an unknown condition, so a retry rebuilds it as a new generation.
        Retry: [{ guard: "wantsDeleted", target: "deleting" }, { target: "creating" }],
        Start: { guard: "notBeingDeleted", target: "creating", actions: "wantRunning" },
        Stop: { guard: "notBeingDeleted", actions: "wantStopped" },
        Delete: { target: "deleting", actions: "wantDeleted" }
      }
    }
  }
})

export type SpaceSnapshot = SnapshotFrom<typeof spaceMachine>

/** The lifecycle of a space that was just recorded: `pending`, wanting nothing yet. */
export const initialSpace = (): SpaceSnapshot => pureInitial(spaceMachine)

/**
 * Feeds one event to a space's lifecycle: the next snapshot, or `IllegalTransition` when the
 * event means nothing in the current state (e.g. `Start` on a deleted space, `Started` while
 * pending).
 */
export const transitionSpace = refusingTransition<SpaceSnapshot, SpaceEvent>({
  machine: "space",
  step: pureStep(spaceMachine),
  detail: (snapshot, event) =>
    (event.type === "Start" || event.type === "Stop") &&
    snapshot.context.desired === "deleted" &&
    snapshot.value !== "deleting" &&
    snapshot.value !== "deleted"
      ? "its deletion was requested"
      : undefined
})

/** The state as the replicated space record shows it. */
export const spaceObservedState = (snapshot: SpaceSnapshot): SpaceState => snapshot.value

/** The container operation the effect side must run for this snapshot. */
export const spaceEffectFor = (snapshot: SpaceSnapshot): SpaceEffect =>
  Object.values(snapshot.getMeta()).find((meta) => meta !== undefined)?.effect ?? "none"

export const persistSpace = (snapshot: SpaceSnapshot): PersistedSpaceLifecycle => ({
  state: snapshot.value,
  context: snapshot.context
})

/**
 * Rebuilds a snapshot from what `persistSpace` stored. No entry action runs: the context is
 * taken as stored, and the effect side resumes the state's effect (which must therefore be
 * safe to run twice for the same generation).
 */
export const restoreSpace = (persisted: PersistedSpaceLifecycle): SpaceSnapshot =>
  spaceMachine.resolveState({ value: persisted.state, context: persisted.context })
