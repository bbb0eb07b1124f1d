/**
 * The machinery behind one actor: its mailbox, the fiber that works through it, and the
 * supervision that restarts it. Nothing here is public; `actorSystem.ts` builds cells and
 * hands out refs.
 *
 * An idle actor holds no fiber. A fiber parked on a queue costs about 6 KiB and a fork per
 * actor, which made 100 000 mostly idle space actors slow to spawn and heavy to keep. So a
 * fiber is started at spawn (to run `init`) and whenever a message lands in an idle mailbox;
 * it handles messages one at a time and ends when the mailbox is empty. The state waits in
 * the cell in between. At most one fiber runs an actor at a time, so messages are still
 * handled one at a time and in order.
 */
import { Cause, Clock, Deferred, Duration, Effect, Exit, Fiber, FiberId, Runtime, Schedule, Scope } from "effect"
import type { ActorRef, Reply } from "./actorRef.ts"
import type { ActorContext, Behaviour, ChildDecision, ChildFailure, SpawnOptions } from "./behaviour.ts"
import { type ActorNameTaken, ActorStopped, AskTimeout, ChildEscalated } from "./errors.ts"
import { LifecycleEvent } from "./lifecycleEvent.ts"
import { Mailbox } from "./mailbox.ts"
import type { SupervisionPolicy } from "./supervision.ts"

/** A message sent with `ask`. A message sent with `tell` sits in the mailbox unwrapped. */
class Asked {
  constructor(
    readonly msg: unknown,
    readonly reply: Deferred.Deferred<unknown, unknown>
  ) {}
}

/** A child that failed beyond its restart limit, waiting for this actor's decision. */
class ChildFailed {
  constructor(
    readonly failure: ChildFailure,
    readonly decision: Deferred.Deferred<ChildDecision>
  ) {}
}

/** What a cell needs from its system: spawning children, the registry and the event bus. */
export interface CellHost {
  readonly spawnUnder: SpawnUnder
  readonly unregister: (cell: Cell) => void
  /** Publishes the event if anyone is subscribed; builds it only then. */
  readonly publish: (event: (at: number) => LifecycleEvent) => Effect.Effect<void>
}

export type SpawnUnder = <M, S, R>(
  parent: Cell,
  behaviour: Behaviour<M, S, R>,
  name: string,
  policy: SupervisionPolicy
) => Effect.Effect<ActorRef<M>, ActorNameTaken, R>

/** Made at the first failure: most actors never fail, and a schedule driver costs memory. */
interface Restarts {
  times: Array<number>
  readonly driver: Schedule.ScheduleDriver<unknown, unknown>
}

/** One actor. It is also the `ActorContext` its behaviour sees. */
export class Cell implements ActorContext<unknown> {
  readonly self: ActorRef<unknown>
  /** In start order; stopped in reverse. Made at the first child. */
  children: Array<Cell> | undefined = undefined
  mailbox: Mailbox<unknown> | undefined = undefined
  /** True from the start of a fiber for this actor until that fiber finds the mailbox empty. */
  busy = false
  /** That fiber, to interrupt on stop; unset while it is still running its first step in place. */
  fiber: Fiber.RuntimeFiber<void> | undefined = undefined
  alive = true
  finalized = false
  /** True once this incarnation's init has produced `state`. */
  initialised = false
  state: unknown = undefined
  /** The ask being handled, failed if the actor crashes before replying. */
  current: Deferred.Deferred<unknown, unknown> | undefined = undefined
  /** This incarnation's scope, made the first time the behaviour asks for it. */
  incarnationScope: Scope.CloseableScope | undefined = undefined
  restarts: Restarts | undefined = undefined
  /** What a fiber started for a message runs: built once, at the first, and reused by every later one. */
  wake: Effect.Effect<void, never, unknown> | undefined = undefined

  constructor(
    readonly path: string,
    readonly parent: Cell | undefined,
    readonly behaviour: Behaviour<unknown, unknown, unknown>,
    readonly policy: SupervisionPolicy,
    /** The spawner's context and fiber refs, which every fiber of this actor runs with. */
    readonly runtime: Runtime.Runtime<unknown>,
    readonly host: CellHost
  ) {
    this.self = new CellRef(path, this)
  }

  spawn<M, S, R>(behaviour: Behaviour<M, S, R>, options: SpawnOptions): Effect.Effect<ActorRef<M>, ActorNameTaken, R> {
    return this.host.spawnUnder(this, behaviour, options.name, options.supervision ?? this.policy)
  }

  get scope(): Scope.Scope {
    // Making a scope is synchronous; most actors never touch theirs, so they never pay for one.
    // Asked for after the actor stopped, it is closed already, as the last incarnation's was.
    this.incarnationScope ??= Effect.runSync(
      this.alive ? Scope.make() : Effect.tap(Scope.make(), (scope) => Scope.close(scope, Exit.void))
    )
    return this.incarnationScope
  }
}

class CellRef implements ActorRef<unknown> {
  constructor(
    readonly path: string,
    private readonly cell: Cell
  ) {}

  tell(msg: unknown): Effect.Effect<void> {
    return Effect.sync(() => this.unsafeTell(msg))
  }

  unsafeTell(msg: unknown): void {
    if (this.cell.alive) post(this.cell, msg)
  }

  ask<A, E>(make: (reply: Reply<A, E>) => unknown, timeout: Duration.DurationInput) {
    return Effect.suspend(() => {
      const { cell, path } = this
      if (!cell.alive) return Effect.fail(new ActorStopped({ path, reason: "stopped" }))
      return Effect.flatMap(Deferred.make<A, E | ActorStopped>(), (deferred) => {
        const reply: Reply<A, E> = {
          succeed: (value) => Deferred.succeed(deferred, value),
          fail: (error) => Deferred.fail(deferred, error),
          deferred
        }
        post(cell, new Asked(make(reply), deferred as Deferred.Deferred<unknown, unknown>))
        return Deferred.await(deferred).pipe(
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () => new AskTimeout({ path, timeout: Duration.decode(timeout) })
          })
        )
      })
    })
  }

  get stop(): Effect.Effect<void> {
    return stopCell(this.cell)
  }

  get isAlive(): Effect.Effect<boolean> {
    return Effect.sync(() => this.cell.alive)
  }
}

/** Puts an item in the mailbox and, if the actor is idle, starts a fiber to handle it. */
const post = (cell: Cell, item: unknown): void => {
  cell.mailbox ??= new Mailbox()
  cell.mailbox.push(item)
  // On the scheduler, as a forked fiber starts: the sender goes on before the actor runs, and
  // two actors telling each other cannot recurse on the stack.
  if (!cell.busy) run(cell, (cell.wake ??= work(cell, Effect.void)), false)
}

/**
 * Starts the actor's first incarnation; called once, at spawn. `init` runs in place, in the
 * spawner's step, so an actor whose init does not wait costs a short-lived fiber that is
 * done before spawn returns, rather than one that waits on the scheduler.
 */
export const startCell = (cell: Cell): void => run(cell, work(cell, incarnate(cell)), true)

const startInPlace = { immediate: true } as const
const startOnScheduler = { immediate: false } as const

/** Forks the fiber that runs `first`, then the mailbox until it is empty. */
const run = (cell: Cell, effect: Effect.Effect<void, never, unknown>, immediate: boolean): void => {
  cell.busy = true
  const fiber = Runtime.runFork(cell.runtime, effect, immediate ? startInPlace : startOnScheduler)
  if (fiber.unsafePoll() !== null) return
  // Started in place, the fiber may have gone idle already, or stopped its own actor before
  // anyone could know which fiber to interrupt.
  if (!cell.alive) fiber.unsafeInterruptAsFork(FiberId.none)
  else if (cell.busy) cell.fiber = fiber
}

const work = (cell: Cell, first: Effect.Effect<void, unknown, unknown>): Effect.Effect<void, never, unknown> =>
  Effect.catchAllCause(Effect.zipRight(first, drain(cell)), (cause) => recover(cell, cause))

const incarnate = (cell: Cell): Effect.Effect<void, unknown, unknown> =>
  Effect.suspend(() =>
    Effect.map(cell.behaviour.init(cell), (initial) => {
      cell.state = initial
      cell.initialised = true
    })
  )

const drain = (cell: Cell): Effect.Effect<void, unknown, unknown> => {
  const loop: Effect.Effect<void, unknown, unknown> = Effect.suspend(() => {
    const mailbox = cell.mailbox
    if (!cell.alive || mailbox === undefined || mailbox.isEmpty) {
      // Ends the fiber; the next message starts another. Nothing can land in between: this
      // check and the reset happen in one synchronous step.
      cell.busy = false
      cell.fiber = undefined
      return Effect.void
    }
    return Effect.zipRight(handle(cell, mailbox.shift()), loop)
  })
  return loop
}

const handle = (cell: Cell, item: unknown): Effect.Effect<void, unknown, unknown> => {
  if (item instanceof ChildFailed) return decide(cell, item)
  let msg = item
  if (item instanceof Asked) {
    cell.current = item.reply
    msg = item.msg
  }
  return Effect.map(cell.behaviour.receive(cell.state, msg, cell), (next) => {
    cell.state = next
    cell.current = undefined
  })
}

const decide = (cell: Cell, envelope: ChildFailed): Effect.Effect<void, unknown, unknown> => {
  const supervise = cell.behaviour.supervise
  const decision = supervise ? supervise(envelope.failure, cell.state) : Effect.succeed<ChildDecision>("stop")
  return Effect.flatMap(decision, (decided) =>
    decided === "escalate"
      ? Deferred.succeed(envelope.decision, "stop").pipe(Effect.zipRight(Effect.fail(new ChildEscalated(envelope.failure))))
      : Deferred.succeed(envelope.decision, decided)
  )
}

const describe = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.squash(cause)
  return failure instanceof Error ? failure.message : String(failure)
}

const closeIncarnationScope = (cell: Cell): Effect.Effect<void> =>
  Effect.suspend(() => {
    const scope = cell.incarnationScope
    cell.incarnationScope = undefined
    return scope ? Scope.close(scope, Exit.void) : Effect.void
  })

/**
 * A failed incarnation: closes its scope, stops its children, fails the ask it was handling,
 * waits the schedule's delay and starts the next incarnation, until the policy says escalate.
 */
const recover = (cell: Cell, cause: Cause.Cause<unknown>): Effect.Effect<void, never, unknown> =>
  Effect.gen(function* () {
    if (!cell.alive) return
    // The behaviour interrupted itself: the actor stops for good, as if told to.
    if (Cause.isInterruptedOnly(cause)) return yield* stopCell(cell)
    const reason = describe(cause)
    cell.initialised = false
    yield* closeIncarnationScope(cell)
    yield* stopChildren(cell)
    if (cell.current) {
      yield* Deferred.fail(cell.current, new ActorStopped({ path: cell.path, reason: `crashed: ${reason}` }))
      cell.current = undefined
    }
    const { policy } = cell
    const now = yield* Clock.currentTimeMillis
    const restarts = (cell.restarts ??= { times: [], driver: yield* Schedule.driver(policy.schedule) })
    const withinMs = Duration.toMillis(policy.within)
    restarts.times = restarts.times.filter((t) => now - t < withinMs)
    if (restarts.times.length < policy.maxRestarts) {
      const next = yield* Effect.either(restarts.driver.next(reason))
      if (next._tag === "Right") {
        const at = yield* Clock.currentTimeMillis
        restarts.times.push(at)
        const attempt = restarts.times.length
        yield* cell.host.publish(() => LifecycleEvent.Restarted({ path: cell.path, at, attempt, reason }))
        return yield* work(cell, incarnate(cell))
      }
    }
    const decision = yield* escalate(cell, reason)
    if (decision !== "restart") return yield* finalizeCell(cell)
    restarts.times = []
    yield* restarts.driver.reset
    yield* cell.host.publish((at) =>
      LifecycleEvent.Restarted({ path: cell.path, at, attempt: 0, reason: `restarted by ${cell.parent?.path}` })
    )
    return yield* work(cell, incarnate(cell))
  })

/** Hands a failure beyond the restart limit to the parent, and waits for its decision. */
const escalate = (cell: Cell, reason: string): Effect.Effect<ChildDecision> => {
  const parent = cell.parent
  const to = parent?.path ?? "system"
  return cell.host.publish((at) => LifecycleEvent.Escalated({ path: cell.path, at, to, reason })).pipe(
    Effect.zipRight(
      Effect.suspend(() =>
        parent && parent.alive
          ? Effect.flatMap(Deferred.make<ChildDecision>(), (decision) => {
              post(parent, new ChildFailed({ child: cell.path, reason }, decision))
              return Deferred.await(decision)
            })
          : Effect.succeed<ChildDecision>("stop")
      )
    )
  )
}

/** Stops children last-started first, each of them after its own children. */
export const stopChildren = (cell: Cell): Effect.Effect<void> =>
  Effect.suspend(() =>
    cell.children === undefined || cell.children.length === 0
      ? Effect.void
      : Effect.forEach([...cell.children].reverse(), stopCell, { discard: true })
  )

/**
 * Stops the actor for good: its children first, then whatever its fiber is doing, then
 * `postStop` and the incarnation's scope. Run from the actor's own fiber (an actor stopping
 * itself or an ancestor), the current message is handled to its end instead of interrupted.
 * Uninterruptible once begun: nobody else would finish the job for a stopper interrupted
 * half way.
 */
export const stopCell = (cell: Cell): Effect.Effect<void> =>
  Effect.uninterruptible(
    Effect.suspend(() => {
      if (!cell.alive) return Effect.void
      cell.alive = false
      return stopChildren(cell).pipe(
        Effect.zipRight(
          Effect.withFiberRuntime<void>((current) => {
            const fiber = cell.fiber
            cell.fiber = undefined
            return fiber === undefined || fiber === current ? Effect.void : Effect.asVoid(Fiber.interrupt(fiber))
          })
        ),
        Effect.zipRight(Effect.suspend(() => runPostStop(cell))),
        Effect.zipRight(closeIncarnationScope(cell)),
        Effect.zipRight(finalizeCell(cell))
      )
    })
  )

/** Runs `postStop` with the actor's own context, as its fiber would have. */
const runPostStop = (cell: Cell): Effect.Effect<void> => {
  const postStop = cell.behaviour.postStop
  if (!postStop || !cell.initialised) return Effect.void
  cell.initialised = false
  return Fiber.join(Runtime.runFork(cell.runtime, Effect.uninterruptible(postStop(cell.state, cell))))
}

/** Unregisters a cell for good and answers what is left in its mailbox; runs once. */
const finalizeCell = (cell: Cell): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (cell.finalized) return Effect.void
    cell.finalized = true
    cell.alive = false
    cell.fiber = undefined
    cell.host.unregister(cell)
    // The ask being handled when the fiber was interrupted, then those never taken.
    const handling: Array<unknown> = cell.current ? [new Asked(undefined, cell.current)] : []
    cell.current = undefined
    const pending = cell.mailbox ? handling.concat(cell.mailbox.takeAll()) : handling
    const answer = pending.length === 0 ? Effect.void : failPending(cell, pending)
    return Effect.zipRight(answer, cell.host.publish((at) => LifecycleEvent.Stopped({ path: cell.path, at })))
  })

/** Fails every ask still waiting in the mailbox: nobody will answer it now. */
const failPending = (cell: Cell, pending: ReadonlyArray<unknown>) =>
  Effect.forEach(
    pending,
    (item) =>
      item instanceof Asked
        ? Deferred.fail(item.reply, new ActorStopped({ path: cell.path, reason: "stopped" }))
        : item instanceof ChildFailed
          ? Deferred.succeed(item.decision, "stop")
          : Effect.void,
    { discard: true }
  )
