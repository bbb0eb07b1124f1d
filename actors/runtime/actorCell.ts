/**
 * The machinery behind one actor: its mailbox, its fiber, and the supervision loop that
 * restarts it. Nothing here is public; `actorSystem.ts` builds cells and hands out refs.
 */
import { Cause, Clock, Deferred, Duration, Effect, Exit, Fiber, PubSub, Queue, Schedule, Scope } from "effect"
import type { ActorRef, Reply } from "./actorRef.ts"
import type { ActorContext, Behaviour, ChildDecision, ChildFailure } from "./behaviour.ts"
import { type ActorNameTaken, ActorStopped, AskTimeout, ChildEscalated } from "./errors.ts"
import { LifecycleEvent } from "./lifecycleEvent.ts"
import type { SupervisionPolicy } from "./supervision.ts"

type Envelope =
  | { readonly _tag: "User"; readonly msg: unknown; readonly reply: Deferred.Deferred<unknown, unknown> | undefined }
  | { readonly _tag: "ChildFailed"; readonly failure: ChildFailure; readonly decision: Deferred.Deferred<ChildDecision> }

export interface Cell {
  readonly path: string
  readonly parent: Cell | undefined
  /** In start order; stopped in reverse. */
  readonly children: Array<Cell>
  readonly mailbox: Queue.Queue<Envelope>
  readonly ref: ActorRef<unknown>
  readonly host: CellHost
  alive: boolean
  finalized: boolean
  fiber: Fiber.RuntimeFiber<void> | undefined
}

/** What a cell needs from its system: the registry and the event bus. */
export interface CellHost {
  readonly unregister: (cell: Cell) => void
  readonly events: PubSub.PubSub<LifecycleEvent>
}

export type SpawnUnder = <M, S, R>(
  parent: Cell,
  behaviour: Behaviour<M, S, R>,
  name: string,
  policy: SupervisionPolicy
) => Effect.Effect<ActorRef<M>, ActorNameTaken, R>

const publish = (host: CellHost, event: (at: number) => LifecycleEvent) =>
  Effect.flatMap(Clock.currentTimeMillis, (at) => PubSub.publish(host.events, event(at)))

const describe = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.squash(cause)
  return failure instanceof Error ? failure.message : String(failure)
}

/** Stops children last-started first, each of them after its own children. */
export const stopChildren = (cell: Cell): Effect.Effect<void> =>
  Effect.suspend(() => Effect.forEach([...cell.children].reverse(), stopCell, { discard: true }))

export const stopCell = (cell: Cell): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (!cell.alive) return Effect.void
    cell.alive = false
    const fiber = cell.fiber
    return stopChildren(cell).pipe(
      Effect.zipRight(fiber ? Fiber.interrupt(fiber) : Effect.void),
      // A fiber interrupted before its first step runs no finalizer of its own.
      Effect.zipRight(finalizeCell(cell))
    )
  })

/** Unregisters a cell for good and answers what is left in its mailbox; runs once. */
const finalizeCell = (cell: Cell): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (cell.finalized) return Effect.void
    cell.finalized = true
    cell.alive = false
    cell.host.unregister(cell)
    return failPendingAsks(cell, "stopped").pipe(
      Effect.zipRight(publish(cell.host, (at) => LifecycleEvent.Stopped({ path: cell.path, at })))
    )
  })

export const makeRef = (path: string, mailbox: Queue.Queue<Envelope>, cellOf: () => Cell): ActorRef<unknown> => ({
  path,
  tell: (msg) =>
    Effect.sync(() => {
      if (cellOf().alive) Queue.unsafeOffer(mailbox, { _tag: "User", msg, reply: undefined })
    }),
  ask: <A, E>(make: (reply: Reply<A, E>) => unknown, timeout: Duration.DurationInput) =>
    Effect.suspend(() => {
      if (!cellOf().alive) return Effect.fail(new ActorStopped({ path, reason: "stopped" }))
      return Effect.flatMap(Deferred.make<A, E | ActorStopped>(), (deferred) => {
        const reply: Reply<A, E> = {
          succeed: (value) => Deferred.succeed(deferred, value),
          fail: (error) => Deferred.fail(deferred, error),
          deferred
        }
        Queue.unsafeOffer(mailbox, {
          _tag: "User",
          msg: make(reply),
          reply: deferred as Deferred.Deferred<unknown, unknown>
        })
        return Deferred.await(deferred).pipe(
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () => new AskTimeout({ path, timeout: Duration.decode(timeout) })
          })
        )
      })
    }),
  stop: Effect.suspend(() => stopCell(cellOf())),
  isAlive: Effect.sync(() => cellOf().alive)
})

/** Fails every ask still waiting in the mailbox: nobody will answer it now. */
const failPendingAsks = (cell: Cell, reason: string) =>
  Effect.flatMap(Queue.takeAll(cell.mailbox), (envelopes) =>
    Effect.forEach(
      envelopes,
      (envelope) =>
        envelope._tag === "User"
          ? envelope.reply
            ? Deferred.fail(envelope.reply, new ActorStopped({ path: cell.path, reason }))
            : Effect.void
          : Deferred.succeed(envelope.decision, "stop"),
      { discard: true }
    )
  )

/** Hands a failure beyond the restart limit to the parent, and waits for its decision. */
const escalate = (host: CellHost, cell: Cell, reason: string): Effect.Effect<ChildDecision> => {
  const parent = cell.parent
  const to = parent?.path ?? "system"
  return publish(host, (at) => LifecycleEvent.Escalated({ path: cell.path, at, to, reason })).pipe(
    Effect.zipRight(
      parent && parent.alive
        ? Effect.flatMap(Deferred.make<ChildDecision>(), (decision) => {
            Queue.unsafeOffer(parent.mailbox, { _tag: "ChildFailed", failure: { child: cell.path, reason }, decision })
            return Deferred.await(decision)
          })
        : Effect.succeed<ChildDecision>("stop")
    )
  )
}

/**
 * The fiber of one actor. Each pass of the outer loop is one incarnation: a fresh scope,
 * `init`, then one message at a time. A failure stops the incarnation's children, waits the
 * schedule's delay and starts the next incarnation, until the policy says escalate.
 */
export const runCell = <M, S, R>(
  host: CellHost,
  cell: Cell,
  behaviour: Behaviour<M, S, R>,
  policy: SupervisionPolicy,
  spawnUnder: SpawnUnder
): Effect.Effect<void, never, R> =>
  Effect.gen(function* () {
    // Made at the first failure: most actors never fail, and a driver per actor costs memory.
    let driver: Schedule.ScheduleDriver<unknown, unknown> | undefined
    const withinMs = Duration.toMillis(policy.within)
    let restartTimes: Array<number> = []
    let current: Deferred.Deferred<unknown, unknown> | undefined

    const incarnation = Effect.gen(function* () {
      const scope = yield* Scope.make()
      const ctx: ActorContext<M> = {
        self: cell.ref as ActorRef<M>,
        path: cell.path,
        spawn: (child, options) =>
          spawnUnder(cell, child, options.name, options.supervision ?? policy),
        scope
      }
      let state: S | undefined
      let initialised = false
      const handle = (s: S, envelope: Envelope): Effect.Effect<S, unknown, R> => {
        if (envelope._tag === "User") {
          current = envelope.reply
          return Effect.map(behaviour.receive(s, envelope.msg as M, ctx), (next) => {
            state = next
            current = undefined
            return next
          })
        }
        const decide = behaviour.supervise ? behaviour.supervise(envelope.failure, s) : Effect.succeed<ChildDecision>("stop")
        return Effect.flatMap(decide, (decision) =>
          decision === "escalate"
            ? Deferred.succeed(envelope.decision, "stop").pipe(
                Effect.zipRight(Effect.fail(new ChildEscalated(envelope.failure)))
              )
            : Effect.as(Deferred.succeed(envelope.decision, decision), s)
        )
      }
      const run = Effect.flatMap(behaviour.init(ctx), (initial) => {
        state = initial
        initialised = true
        return Effect.iterate(initial, {
          while: () => true,
          body: (s) => Effect.flatMap(Queue.take(cell.mailbox), (envelope) => handle(s, envelope))
        })
      })
      return yield* run.pipe(
        Effect.onInterrupt(() =>
          initialised && behaviour.postStop && state !== undefined ? behaviour.postStop(state, ctx) : Effect.void
        ),
        Effect.ensuring(Scope.close(scope, Exit.void))
      )
    })

    while (true) {
      const exit = yield* Effect.exit(incarnation)
      if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return
      const reason = describe(exit.cause)
      yield* stopChildren(cell)
      if (current) {
        yield* Deferred.fail(current, new ActorStopped({ path: cell.path, reason: `crashed: ${reason}` }))
        current = undefined
      }
      const now = yield* Clock.currentTimeMillis
      restartTimes = restartTimes.filter((t) => now - t < withinMs)
      driver ??= yield* Schedule.driver(policy.schedule)
      if (restartTimes.length < policy.maxRestarts) {
        const next = yield* Effect.either(driver.next(reason))
        if (next._tag === "Right") {
          const at = yield* Clock.currentTimeMillis
          restartTimes.push(at)
          yield* PubSub.publish(
            host.events,
            LifecycleEvent.Restarted({ path: cell.path, at, attempt: restartTimes.length, reason })
          )
          continue
        }
      }
      const decision = yield* escalate(host, cell, reason)
      if (decision !== "restart") return
      restartTimes = []
      yield* driver.reset
      yield* publish(host, (at) =>
        LifecycleEvent.Restarted({ path: cell.path, at, attempt: 0, reason: `restarted by ${cell.parent?.path}` })
      )
    }
  }).pipe(Effect.ensuring(finalizeCell(cell)))
