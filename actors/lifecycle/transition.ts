import { Either } from "effect"
import { type AnyActorLogic, type AnyActorScope, type AnyStateMachine, createActor, type EventFromLogic, type InputFrom, type SnapshotFrom } from "xstate"
import { IllegalTransition } from "./lifecycle.errors.ts"

/** The part of an xstate snapshot that deciding on a refusal needs. */
export interface RefusableSnapshot<TEvent> {
  readonly value: unknown
  can(event: TEvent): boolean
}

export interface RefusingTransitionOptions<TSnapshot, TEvent> {
  /** The machine's name as a user reads it in a refusal ("space", "node"). */
  readonly machine: string
  /** The pure step, normally xstate's `transition(machine, snapshot, event)[0]`. */
  readonly step: (snapshot: TSnapshot, event: TEvent) => TSnapshot
  /** Extra words for a refusal, e.g. the guard that failed; `undefined` when the state says it all. */
  readonly detail?: (snapshot: TSnapshot, event: TEvent) => string | undefined
}

/**
 * Wraps a pure machine step so that an event the current state does not accept (no
 * transition, or every guard false) comes back as an `IllegalTransition` instead of the
 * unchanged snapshot xstate would return.
 */
export const refusingTransition =
  <TSnapshot extends RefusableSnapshot<TEvent>, TEvent extends { readonly type: string }>(
    options: RefusingTransitionOptions<TSnapshot, TEvent>
  ) =>
  (snapshot: TSnapshot, event: TEvent): Either.Either<TSnapshot, IllegalTransition> => {
    if (snapshot.can(event)) return Either.right(options.step(snapshot, event))
    const detail = options.detail?.(snapshot, event)
    return Either.left(
      new IllegalTransition({
        machine: options.machine,
        state: String(snapshot.value),
        event: event.type,
        ...(detail === undefined ? {} : { detail })
      })
    )
  }

/**
 * An inert actor scope for pure steps of `logic`, made once per machine. xstate's own
 * `transition` and `initialTransition` make a new one at every call, and making one builds an
 * actor and the machine's initial snapshot: several times the cost of the step itself, paid
 * on every lifecycle event of every space, zone and node. The machines here spawn and invoke
 * nothing, so the scope's actor and system are never touched; the actions a step resolves
 * are not run (the steps are pure), as with xstate's own.
 */
const inertScopes = new WeakMap<AnyActorLogic, AnyActorScope>()

const inertScope = (logic: AnyActorLogic): AnyActorScope => {
  const known = inertScopes.get(logic)
  if (known !== undefined) return known
  const self = createActor(logic)
  const scope = {
    self,
    defer: () => {},
    id: "",
    logger: () => {},
    sessionId: "",
    stopChild: () => {},
    system: self.system,
    emit: () => {},
    actionExecutor: () => {}
  } as unknown as AnyActorScope
  inertScopes.set(logic, scope)
  return scope
}

/** `transition(machine, snapshot, event)[0]`, over the machine's one inert scope. */
export const pureStep = <TLogic extends AnyStateMachine>(machine: TLogic) => {
  const scope = inertScope(machine)
  return (snapshot: SnapshotFrom<TLogic>, event: EventFromLogic<TLogic>): SnapshotFrom<TLogic> =>
    machine.transition(snapshot, event, scope) as SnapshotFrom<TLogic>
}

/** `initialTransition(machine, input)[0]`, over the machine's one inert scope. */
export const pureInitial = <TLogic extends AnyStateMachine>(machine: TLogic, input?: InputFrom<TLogic>): SnapshotFrom<TLogic> =>
  machine.getInitialSnapshot(inertScope(machine), input) as SnapshotFrom<TLogic>
