import type { Deferred, Duration, Effect } from "effect"
import type { ActorStopped, AskTimeout } from "./errors.ts"

/** Sent inside an `ask` message: the actor completes it exactly once. */
export interface Reply<A, E = never> {
  readonly succeed: (value: A) => Effect.Effect<void>
  readonly fail: (error: E) => Effect.Effect<void>
  readonly deferred: Deferred.Deferred<A, E | ActorStopped>
}

/**
 * The only handle on an actor: its state stays private to it. Call `tell` and `ask` on the
 * ref (`ref.tell(msg)`); they are methods shared by all refs, not closures bound to one.
 */
export interface ActorRef<Msg> {
  /** `parent/name`, e.g. `node/space:abc`. */
  readonly path: string
  /** Enqueues without waiting; a message to a stopped actor is dropped. */
  readonly tell: (msg: Msg) => Effect.Effect<void>
  /**
   * `tell` done at once, from code that runs outside any fiber (the simulated network hands
   * a frame over this way as it lands): the actor still handles it on its own fiber.
   */
  readonly unsafeTell: (msg: Msg) => void
  /** Sends the message built around a reply and waits for the reply, at most `timeout`. */
  readonly ask: <A, E = never>(
    make: (reply: Reply<A, E>) => Msg,
    timeout: Duration.DurationInput
  ) => Effect.Effect<A, E | AskTimeout | ActorStopped>
  /** Stops this actor's children (last started first), then the actor itself. */
  readonly stop: Effect.Effect<void>
  /** True until the actor is stopped for good. */
  readonly isAlive: Effect.Effect<boolean>
}
