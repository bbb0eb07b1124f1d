import { Either } from "effect"
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
