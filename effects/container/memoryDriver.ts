import { Context, Deferred, Effect, Layer, PubSub, Ref, Stream } from "effect"
import type { ContainerDriverShape, ContainerInfo, ContainerSpec, EngineEvent, RemoveOptions } from "./containerDriver.ts"
import { ContainerDriver } from "./containerDriver.ts"
import type { ContainerError } from "./containerDriver.errors.ts"
import {
  ContainerNotFound,
  ContainerOperationFailed,
  EngineUnreachable,
  ImageNotFound
} from "./containerDriver.errors.ts"

/** The socket name the memory engine reports in its errors. */
export const memorySocket = "memory://engine"

/** The exit codes a real engine reports: SIGTERM forwarded by the init process, and SIGKILL. */
const exitCodeOnStop = 143
const exitCodeOnKill = 137

/** A container as the engine holds it: what inspect shows, and the named volumes it mounts. */
interface Entry {
  readonly info: ContainerInfo
  readonly volumes: ReadonlyArray<string>
}

interface Engine {
  readonly containers: ReadonlyMap<string, Entry>
  readonly volumes: ReadonlySet<string>
  readonly nextId: number
  readonly reachable: boolean
  readonly failingCreates: number
}

/**
 * What the world outside knot can do to a real engine, as controls: tests and the simulator
 * use them to inject the faults knot must survive. None of them goes through ContainerDriver.
 */
export interface MemoryEngineShape {
  /** The container exits behind knot's back, as after an OOM kill or a crash. */
  readonly kill: (id: string, exitCode?: number) => Effect.Effect<void, ContainerNotFound>
  /** From now on every driver call fails with EngineUnreachable, until `makeReachable`. */
  readonly makeUnreachable: Effect.Effect<void>
  readonly makeReachable: Effect.Effect<void>
  /** The next `count` creates fail with ContainerOperationFailed (and leave nothing behind). */
  readonly failNextCreates: (count: number) => Effect.Effect<void>
  /** The named volumes that exist now. */
  readonly volumes: Effect.Effect<ReadonlySet<string>>
  /** Ends every event stream being followed now, as an engine restart or a dropped connection does. */
  readonly dropEvents: Effect.Effect<void>
  /**
   * The engine restarts: the streams that follow it end, and every running container exits
   * while nobody follows, so no event ever tells of it. Returns how many exited.
   */
  readonly restart: Effect.Effect<number>
}

export class MemoryEngine extends Context.Tag("knot/MemoryEngine")<MemoryEngine, MemoryEngineShape>() {}

export interface MemoryDriverOptions {
  /** The images the engine holds; creating from any other fails with ImageNotFound. Every image exists when omitted. */
  readonly images?: Iterable<string>
}

const unreachable = new EngineUnreachable({ socket: memorySocket, reason: "the memory engine was made unreachable" })

const hasLabels = (info: ContainerInfo, labels: Readonly<Record<string, string>>): boolean =>
  Object.entries(labels).every(([key, value]) => info.labels[key] === value)

const withInfo = (engine: Engine, entry: Entry, info: ContainerInfo): Engine => ({
  ...engine,
  containers: new Map(engine.containers).set(info.id, { ...entry, info })
})

const make = (options: MemoryDriverOptions) =>
  Effect.gen(function*() {
    const images = options.images === undefined ? undefined : new Set(options.images)
    const state = yield* Ref.make<Engine>({
      containers: new Map(),
      volumes: new Set(),
      nextId: 1,
      reachable: true,
      failingCreates: 0
    })

    const published = yield* PubSub.unbounded<EngineEvent & { readonly _tag: "Container" }>()
    const dropped = yield* Ref.make(yield* Deferred.make<void>())

    /** The events a real engine would report for the step from `was` to `now`, in its order. */
    const changes = (was: Engine, now: Engine): ReadonlyArray<EngineEvent & { readonly _tag: "Container" }> => {
      // Reads (inspect, list, ping) and refused steps leave the containers as they were.
      if (was.containers === now.containers) return []
      const events: Array<EngineEvent & { readonly _tag: "Container" }> = []
      const event = (info: ContainerInfo, action: string) =>
        events.push({ _tag: "Container", id: info.id, action, labels: info.labels })
      for (const [id, entry] of was.containers) {
        const after = now.containers.get(id)?.info
        if (entry.info.state === "running" && after?.state !== "running") event(entry.info, "die")
        if (after === undefined) event(entry.info, "destroy")
        else if (entry.info.state !== "running" && after.state === "running") event(after, "start")
      }
      for (const [id, entry] of now.containers) {
        if (was.containers.has(id)) continue
        event(entry.info, "create")
        if (entry.info.state === "running") event(entry.info, "start")
      }
      return events
    }

    /** One atomic step of the engine: `step` returns the outcome and the engine after it. */
    const transact = <A, E>(
      step: (engine: Engine) => readonly [Effect.Effect<A, E>, Engine]
    ): Effect.Effect<A, E> =>
      Ref.modify(state, (engine) => {
        const [outcome, next] = step(engine)
        return [{ outcome, events: changes(engine, next) }, next] as const
      }).pipe(
        Effect.flatMap(({ events, outcome }) =>
          events.length === 0 ? outcome : Effect.zipRight(PubSub.publishAll(published, events), outcome))
      )

    const dropEvents = Effect.flatMap(Deferred.make<void>(), (fresh) =>
      Effect.flatMap(Ref.getAndSet(dropped, fresh), (old) => Deferred.succeed(old, undefined)))

    /** A driver call: fails without touching the engine while it is unreachable. */
    const call = <A>(
      step: (engine: Engine) => readonly [Effect.Effect<A, ContainerError>, Engine]
    ): Effect.Effect<A, ContainerError> =>
      transact((engine) => engine.reachable ? step(engine) : [Effect.fail(unreachable), engine])

    const create = (spec: ContainerSpec) =>
      call<ContainerInfo>((engine) => {
        if (engine.failingCreates > 0) {
          const failure = new ContainerOperationFailed({
            operation: "create",
            id: spec.name,
            reason: "injected failure of the memory engine"
          })
          return [Effect.fail(failure), { ...engine, failingCreates: engine.failingCreates - 1 }]
        }
        if (images !== undefined && !images.has(spec.image)) {
          return [Effect.fail(new ImageNotFound({ image: spec.image })), engine]
        }
        for (const existing of engine.containers.values()) {
          if (existing.info.name === spec.name) {
            const failure = new ContainerOperationFailed({
              operation: "create",
              id: spec.name,
              reason: `the name ${spec.name} is already in use by container ${existing.info.id}`
            })
            return [Effect.fail(failure), engine]
          }
        }
        const info: ContainerInfo = {
          id: `mem-${engine.nextId.toString().padStart(8, "0")}`,
          name: spec.name,
          image: spec.image,
          labels: { ...spec.labels },
          state: "created"
        }
        const entry: Entry = { info, volumes: spec.volumes.map((volume) => volume.name) }
        const volumes = new Set([...engine.volumes, ...entry.volumes])
        return [Effect.succeed(info), { ...withInfo(engine, entry, info), volumes, nextId: engine.nextId + 1 }]
      })

    const start = (id: string) =>
      call<void>((engine) => {
        const entry = engine.containers.get(id)
        if (entry === undefined) return [Effect.fail(new ContainerNotFound({ id })), engine]
        if (entry.info.state === "running") return [Effect.void, engine]
        const { exitCode: _, ...rest } = entry.info
        return [Effect.void, withInfo(engine, entry, { ...rest, state: "running" })]
      })

    const stop = (id: string) =>
      call<void>((engine) => {
        const entry = engine.containers.get(id)
        if (entry === undefined || entry.info.state !== "running") return [Effect.void, engine]
        return [Effect.void, withInfo(engine, entry, { ...entry.info, state: "exited", exitCode: exitCodeOnStop })]
      })

    const remove = (id: string, removeOptions: RemoveOptions) =>
      call<void>((engine) => {
        const containers = new Map(engine.containers)
        containers.delete(id)
        const others = [...containers.values()]
        const inUse = (volume: string) => others.some((other) => other.volumes.includes(volume))
        const volumes = new Set(engine.volumes)
        for (const volume of removeOptions.volumes) if (!inUse(volume)) volumes.delete(volume)
        const kept = removeOptions.volumes.filter(inUse)
        // As on a real engine: the container and the free volumes go, a volume still mounted stays.
        const outcome = kept.length === 0 ? Effect.void : Effect.fail(
          new ContainerOperationFailed({
            operation: "remove volume",
            id: kept.join(", "),
            reason: "the volume is in use by another container"
          })
        )
        return [outcome, { ...engine, containers, volumes }]
      })

    const removeVolume = (name: string) =>
      call<void>((engine) => {
        if ([...engine.containers.values()].some((entry) => entry.volumes.includes(name))) {
          const refused = new ContainerOperationFailed({
            operation: "remove volume",
            id: name,
            reason: "the volume is in use by a container"
          })
          return [Effect.fail(refused), engine]
        }
        const volumes = new Set(engine.volumes)
        volumes.delete(name)
        return [Effect.void, { ...engine, volumes }]
      })

    const inspect = (id: string) => call((engine) => [Effect.succeed(engine.containers.get(id)?.info), engine])

    const listByLabels = (labels: Readonly<Record<string, string>>) =>
      call((engine) => {
        const infos = [...engine.containers.values()].map((entry) => entry.info)
        return [Effect.succeed(infos.filter((info) => hasLabels(info, labels))), engine]
      })

    const ping = call<void>((engine) => [Effect.void, engine])

    const events = (labels: Readonly<Record<string, string>>): Stream.Stream<EngineEvent, ContainerError> =>
      Stream.unwrapScoped(
        Effect.gen(function*() {
          yield* ping
          const subscription = yield* PubSub.subscribe(published)
          const until = yield* Ref.get(dropped)
          const mine = Stream.fromQueue(subscription).pipe(
            Stream.filter((event) => Object.entries(labels).every(([key, value]) => event.labels[key] === value)),
            Stream.interruptWhen(Deferred.await(until))
          )
          return Stream.concat(Stream.succeed<EngineEvent>({ _tag: "Following" }), mine)
        })
      )

    const driver: ContainerDriverShape = {
      create,
      start,
      stop,
      remove,
      removeVolume,
      inspect,
      listByLabels,
      ping,
      events
    }

    const engine: MemoryEngineShape = {
      kill: (id, exitCode = exitCodeOnKill) =>
        transact((current) => {
          const entry = current.containers.get(id)
          if (entry === undefined) return [Effect.fail(new ContainerNotFound({ id })), current]
          if (entry.info.state !== "running") return [Effect.void, current]
          return [Effect.void, withInfo(current, entry, { ...entry.info, state: "exited", exitCode })]
        }),
      // An engine that stops answering also ends the event streams that follow it.
      makeUnreachable: Effect.zipRight(Ref.update(state, (current) => ({ ...current, reachable: false })), dropEvents),
      makeReachable: Ref.update(state, (current) => ({ ...current, reachable: true })),
      failNextCreates: (count) => Ref.update(state, (current) => ({ ...current, failingCreates: count })),
      volumes: Effect.map(Ref.get(state), (current) => current.volumes),
      dropEvents,
      // Straight on the state, not through `transact`: these exits publish no event.
      restart: Effect.zipRight(
        dropEvents,
        Ref.modify(state, (current) => {
          const running = [...current.containers.values()].filter((entry) => entry.info.state === "running")
          const next = running.reduce(
            (engine, entry) => withInfo(engine, entry, { ...entry.info, state: "exited", exitCode: exitCodeOnKill }),
            current
          )
          return [running.length, next] as const
        })
      )
    }

    return Context.make(ContainerDriver, driver).pipe(Context.add(MemoryEngine, engine))
  })

/**
 * A container engine held in memory: honest lifecycle semantics, no real time, no randomness
 * (ids come from a counter), so the deterministic simulator can run it. One layer gives both
 * the ContainerDriver and its MemoryEngine controls.
 */
export const MemoryDriver = {
  /** Both services, without a layer (the simulator makes one engine per node). */
  make: (options: MemoryDriverOptions = {}): Effect.Effect<Context.Context<ContainerDriver | MemoryEngine>> => make(options),
  layer: (options: MemoryDriverOptions = {}): Layer.Layer<ContainerDriver | MemoryEngine> =>
    Layer.effectContext(make(options))
}
