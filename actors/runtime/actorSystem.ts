import { Clock, Context, Effect, FiberRef, Layer, Option, PubSub, type Queue, Runtime, type Scope } from "effect"
import type { ActorRef } from "./actorRef.ts"
import { Cell, type CellHost, type SpawnUnder, startCell, stopCell } from "./actorCell.ts"
import type { Behaviour, SpawnOptions } from "./behaviour.ts"
import { ActorNameTaken } from "./errors.ts"
import { LifecycleEvent } from "./lifecycleEvent.ts"
import { exponential } from "./supervision.ts"

export interface SystemSpawnOptions extends SpawnOptions {
  /** Spawn as a child of this actor instead of at the top of the tree. */
  readonly parent?: ActorRef<never>
}

export interface ActorSystemShape {
  readonly spawn: <M, S, R>(
    behaviour: Behaviour<M, S, R>,
    options: SystemSpawnOptions
  ) => Effect.Effect<ActorRef<M>, ActorNameTaken, R>
  /** Finds a running actor by path (`node/zone:us-east`); the caller names its message type. */
  readonly lookup: <M = unknown>(path: string) => Effect.Effect<Option.Option<ActorRef<M>>>
  /** Paths of the running actors, depth first in start order. */
  readonly paths: Effect.Effect<ReadonlyArray<string>>
  /** The actor tree, one actor a line, indented by depth. */
  readonly tree: Effect.Effect<string>
  /** Lifecycle events from the moment of subscription on. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<LifecycleEvent>, never, Scope.Scope>
  /** Stops every actor, top-level ones last-started first. */
  readonly shutdown: Effect.Effect<void>
}

export class ActorSystem extends Context.Tag("knot/ActorSystem")<ActorSystem, ActorSystemShape>() {}

const defaultPolicy = exponential()

/** Whether fibers forked from either runtime would run alike: same context, flags and fiber refs. */
const sameRuntime = (a: Runtime.Runtime<unknown>, b: Runtime.Runtime<unknown>): boolean => {
  if (a.context !== b.context || a.runtimeFlags !== b.runtimeFlags) return false
  const ours = a.fiberRefs.locals
  const theirs = b.fiberRefs.locals
  if (ours.size !== theirs.size) return false
  for (const [ref, stack] of ours) {
    if (theirs.get(ref)?.[0][1] !== stack[0][1]) return false
  }
  return true
}

/** Builds a runtime; its actors live until `shutdown` (the layer calls it when its scope closes). */
export const makeActorSystem: Effect.Effect<ActorSystemShape> = Effect.map(
  PubSub.unbounded<LifecycleEvent>(),
  (events): ActorSystemShape => {
    const registry = new Map<string, Cell>()
    const roots: Array<Cell> = []
    // Counted here so that, with nobody watching, a spawn neither reads the clock nor builds an event.
    let subscribers = 0
    // Each actor keeps its spawner's runtime for the fibers it starts later. Actors spawned
    // from the same place share one instead of each holding a copy of the fiber refs.
    let lastRuntime: Runtime.Runtime<unknown> | undefined

    const host: CellHost = {
      spawnUnder: (parent, behaviour, name, policy) => spawnCell(parent, behaviour, name, policy),
      unregister: (cell) => {
        if (registry.get(cell.path) === cell) registry.delete(cell.path)
        const siblings = cell.parent ? cell.parent.children : roots
        if (siblings === undefined) return
        // Siblings stop last-started first, so the cell is nearly always at the end.
        const index = siblings.lastIndexOf(cell)
        if (index >= 0) siblings.splice(index, 1)
      },
      publish: (event) =>
        subscribers === 0
          ? Effect.void
          : Effect.flatMap(Clock.currentTimeMillis, (at) => PubSub.publish(events, event(at)))
    }

    const spawnCell = <M, S, R>(
      parent: Cell | undefined,
      behaviour: Behaviour<M, S, R>,
      name: string,
      policy: Parameters<SpawnUnder>[3]
    ): Effect.Effect<ActorRef<M>, ActorNameTaken, R> =>
      Effect.withFiberRuntime((fiber, status) => {
        const path = parent ? `${parent.path}/${name}` : name
        if (registry.has(path) || (parent !== undefined && !parent.alive)) {
          return Effect.fail(new ActorNameTaken({ path }))
        }
        const fresh = Runtime.make({
          // The spawner's context holds what the behaviour requires (its R).
          context: fiber.getFiberRef(FiberRef.currentContext) as Context.Context<unknown>,
          runtimeFlags: status.runtimeFlags,
          fiberRefs: fiber.getFiberRefs()
        })
        const runtime = lastRuntime !== undefined && sameRuntime(lastRuntime, fresh) ? lastRuntime : fresh
        lastRuntime = runtime
        const cell = new Cell(
          path,
          parent,
          behaviour as unknown as Behaviour<unknown, unknown, unknown>,
          policy,
          runtime,
          host
        )
        registry.set(path, cell)
        if (parent) (parent.children ??= []).push(cell)
        else roots.push(cell)
        const ref = cell.self as ActorRef<M>
        if (subscribers === 0) {
          startCell(cell)
          return Effect.succeed(ref)
        }
        // Spawned goes out before the actor's fiber can publish anything of its own.
        return host.publish((at) => LifecycleEvent.Spawned({ path, at })).pipe(
          Effect.zipRight(Effect.sync(() => startCell(cell))),
          Effect.as(ref)
        )
      })

    const cellOfRef = (ref: ActorRef<never>) => registry.get(ref.path)

    const walk = (cells: ReadonlyArray<Cell>, depth: number, out: Array<[number, Cell]>) => {
      for (const cell of cells) {
        out.push([depth, cell])
        if (cell.children) walk(cell.children, depth + 1, out)
      }
      return out
    }

    return {
      spawn: (behaviour, options) =>
        Effect.suspend(() => {
          const parent = options.parent ? cellOfRef(options.parent) : undefined
          if (options.parent && !parent) {
            return Effect.fail(new ActorNameTaken({ path: `${options.parent.path}/${options.name} (parent stopped)` }))
          }
          return spawnCell(parent, behaviour, options.name, options.supervision ?? defaultPolicy)
        }),
      lookup: <M>(path: string) =>
        Effect.sync(() => Option.fromNullable(registry.get(path)).pipe(Option.map((cell) => cell.self as ActorRef<M>))),
      paths: Effect.sync(() => walk(roots, 0, []).map(([, cell]) => cell.path)),
      tree: Effect.sync(() =>
        walk(roots, 0, [])
          .map(([depth, cell]) => `${"  ".repeat(depth)}${depth === 0 ? cell.path : cell.path.slice(cell.path.lastIndexOf("/") + 1)}`)
          .join("\n")
      ),
      subscribe: Effect.zipRight(
        Effect.acquireRelease(
          Effect.sync(() => {
            subscribers++
          }),
          () =>
            Effect.sync(() => {
              subscribers--
            })
        ),
        PubSub.subscribe(events)
      ),
      shutdown: Effect.suspend(() => Effect.forEach([...roots].reverse(), stopCell, { discard: true }))
    }
  }
)

export const ActorSystemLive: Layer.Layer<ActorSystem> = Layer.scoped(
  ActorSystem,
  Effect.acquireRelease(makeActorSystem, (system) => system.shutdown)
)
