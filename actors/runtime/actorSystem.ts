import { Clock, Context, Effect, Layer, Option, PubSub, Queue, type Scope } from "effect"
import type { ActorRef } from "./actorRef.ts"
import { type Cell, type CellHost, makeRef, runCell, type SpawnUnder, stopCell } from "./actorCell.ts"
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

/** Builds a runtime; its actors live until `shutdown` (the layer calls it when its scope closes). */
export const makeActorSystem: Effect.Effect<ActorSystemShape> = Effect.gen(function* () {
  const events = yield* PubSub.unbounded<LifecycleEvent>()
  const registry = new Map<string, Cell>()
  const roots: Array<Cell> = []

  const host: CellHost = {
    events,
    unregister: (cell) => {
      if (registry.get(cell.path) === cell) registry.delete(cell.path)
      const siblings = cell.parent ? cell.parent.children : roots
      // Siblings stop last-started first, so the cell is nearly always at the end.
      const index = siblings.lastIndexOf(cell)
      if (index >= 0) siblings.splice(index, 1)
    }
  }

  const spawnUnder: SpawnUnder = (parent, behaviour, name, policy) =>
    spawnCell(parent, behaviour, name, policy)

  const spawnCell = <M, S, R>(
    parent: Cell | undefined,
    behaviour: Behaviour<M, S, R>,
    name: string,
    policy: Parameters<SpawnUnder>[3]
  ): Effect.Effect<ActorRef<M>, ActorNameTaken, R> =>
    Effect.gen(function* () {
      const path = parent ? `${parent.path}/${name}` : name
      if (registry.has(path) || (parent !== undefined && !parent.alive)) {
        return yield* Effect.fail(new ActorNameTaken({ path }))
      }
      const mailbox = yield* Queue.unbounded<Parameters<Cell["mailbox"]["offer"]>[0]>()
      const cell: Cell = {
        path,
        parent,
        children: [],
        mailbox,
        ref: makeRef(path, mailbox, () => cell),
        host,
        alive: true,
        finalized: false,
        fiber: undefined
      }
      registry.set(path, cell)
      ;(parent ? parent.children : roots).push(cell)
      const at = yield* Clock.currentTimeMillis
      yield* PubSub.publish(events, LifecycleEvent.Spawned({ path, at }))
      cell.fiber = yield* Effect.forkDaemon(runCell(host, cell, behaviour, policy, spawnUnder))
      return cell.ref as ActorRef<M>
    })

  const cellOfRef = (ref: ActorRef<never>) => registry.get(ref.path)

  const walk = (cells: ReadonlyArray<Cell>, depth: number, out: Array<[number, Cell]>) => {
    for (const cell of cells) {
      out.push([depth, cell])
      walk(cell.children, depth + 1, out)
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
      Effect.sync(() => Option.fromNullable(registry.get(path)).pipe(Option.map((cell) => cell.ref as ActorRef<M>))),
    paths: Effect.sync(() => walk(roots, 0, []).map(([, cell]) => cell.path)),
    tree: Effect.sync(() =>
      walk(roots, 0, [])
        .map(([depth, cell]) => `${"  ".repeat(depth)}${depth === 0 ? cell.path : cell.path.slice(cell.path.lastIndexOf("/") + 1)}`)
        .join("\n")
    ),
    subscribe: PubSub.subscribe(events),
    shutdown: Effect.suspend(() => Effect.forEach([...roots].reverse(), stopCell, { discard: true }))
  }
})

export const ActorSystemLive: Layer.Layer<ActorSystem> = Layer.scoped(
  ActorSystem,
  Effect.acquireRelease(makeActorSystem, (system) => system.shutdown)
)
