import type { Effect, Scope } from "effect"
import type { ActorRef } from "./actorRef.ts"
import type { ActorNameTaken } from "./errors.ts"
import type { SupervisionPolicy } from "./supervision.ts"

/** What a parent decides about a child that failed beyond its restart limit. */
export type ChildDecision = "restart" | "stop" | "escalate"

export interface ChildFailure {
  readonly child: string
  readonly reason: string
}

export interface SpawnOptions {
  /** Unique among its siblings; the actor's path is `parentPath/name`. */
  readonly name: string
  readonly supervision?: SupervisionPolicy
}

/** What an actor sees of the runtime while it runs. */
export interface ActorContext<Msg> {
  readonly self: ActorRef<Msg>
  readonly path: string
  /** Starts a child under this actor: it is stopped before this actor stops or restarts. */
  readonly spawn: <M, S, R>(
    behaviour: Behaviour<M, S, R>,
    options: SpawnOptions
  ) => Effect.Effect<ActorRef<M>, ActorNameTaken, R>
  /**
   * Lives as long as this incarnation: closed when the actor stops or before it restarts.
   * Fork an actor's timers and loops into it (`Effect.forkIn(ctx.scope)`): an idle actor holds
   * no fiber, so a fiber forked plainly from `init` or `receive` ends when the actor next goes idle.
   */
  readonly scope: Scope.Scope
}

/**
 * An actor's code. `init` builds the state (a restart runs it again, so it can reload from
 * storage); `receive` handles one message at a time and returns the next state. A failure
 * or defect in either restarts the actor by its supervision policy.
 */
export interface Behaviour<Msg, S, R = never> {
  readonly init: (ctx: ActorContext<Msg>) => Effect.Effect<S, unknown, R>
  readonly receive: (state: S, msg: Msg, ctx: ActorContext<Msg>) => Effect.Effect<S, unknown, R>
  /** Runs when the actor stops for good (not on restart). */
  readonly postStop?: (state: S, ctx: ActorContext<Msg>) => Effect.Effect<void, never, R>
  /** Decides for a child that escalated; without it a parent stops such a child. */
  readonly supervise?: (failure: ChildFailure, state: S) => Effect.Effect<ChildDecision, never, R>
}
