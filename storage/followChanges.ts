/**
 * Follows a store's change queue (`Store.subscribe`): every change, in order, as it comes.
 * Each wake takes all the changes waiting, and handles them without yielding between them:
 * `Effect.forever` around a `Queue.take` yields after every change, a scheduler task per
 * change per follower, and a delta applies its records as one batch of changes. The runtime
 * still yields to other fibers every so many ops.
 */
import { Effect, Queue } from "effect"
import type { Change } from "./store.ts"

export const followChanges = <E, R>(
  changes: Queue.Dequeue<Change>,
  handle: (change: Change) => Effect.Effect<void, E, R>
): Effect.Effect<never, E, R> => {
  const loop: Effect.Effect<never, E, R> = Effect.flatMap(
    Queue.takeBetween(changes, 1, Number.POSITIVE_INFINITY),
    (taken) => Effect.zipRight(Effect.forEach(taken, handle, { discard: true }), loop)
  )
  return loop
}
