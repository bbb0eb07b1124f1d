/**
 * A simulated node's container engine as knot's driver sees it: the node's MemoryDriver (its
 * containers outlive a crash of knot), with every call taking virtual time. A call waits
 * before it reaches the engine and again before its answer arrives, so a crash can land
 * before an operation, or after the engine carried it out but before knot heard of it: the
 * two cases adoption after a restart must tell apart. Delays come from the caller's Effect
 * `Random`, which the simulator seeds per node incarnation.
 */
import { Effect, Random } from "effect"
import type { ContainerDriverShape, ContainerInfo } from "../effects/container/containerDriver.ts"

/** Virtual ms an operation takes, split in two around the engine's own step. */
export interface EngineLatency {
  readonly min: number
  readonly max: number
}

/** The event stream takes no time of its own: its events come as the engine's changes happen. */
export const engineLatency: Readonly<Record<Exclude<keyof ContainerDriverShape, "events">, EngineLatency>> = {
  create: { min: 20, max: 250 },
  start: { min: 10, max: 150 },
  stop: { min: 10, max: 300 },
  remove: { min: 10, max: 150 },
  removeVolume: { min: 5, max: 50 },
  inspect: { min: 1, max: 10 },
  listByLabels: { min: 1, max: 20 },
  ping: { min: 1, max: 5 }
}

export interface EngineWatch {
  /** Told of each change the engine makes, when it makes it (the trace). */
  readonly log: (change: string) => void
  /** Told of each container the engine removes, as it was just before (the invariants). */
  readonly removed: (info: ContainerInfo) => void
  /** Calls under way now: a crash that finds some landed in the middle of a step. */
  inFlight: number
}

export const withEngineLatency = (driver: ContainerDriverShape, watch: EngineWatch): ContainerDriverShape => {
  const slow = <A, E>(
    latency: EngineLatency,
    call: Effect.Effect<A, E>,
    change?: (outcome: A) => string
  ): Effect.Effect<A, E> =>
    Effect.flatMap(Random.nextIntBetween(latency.min, latency.max + 1), (total) => {
      const before = Math.floor(total / 2)
      const step = Effect.sleep(before).pipe(
        Effect.zipRight(call),
        Effect.tap((outcome) => change === undefined ? Effect.void : Effect.sync(() => watch.log(change(outcome)))),
        Effect.tap(() => Effect.sleep(total - before))
      )
      return Effect.acquireUseRelease(
        Effect.sync(() => watch.inFlight++),
        () => step,
        () => Effect.sync(() => watch.inFlight--)
      )
    })
  return {
    create: (spec) => slow(engineLatency.create, driver.create(spec), (info) => `created ${info.id} ${spec.name}`),
    start: (id) => slow(engineLatency.start, driver.start(id), () => `started ${id}`),
    stop: (id, timeoutSeconds) => slow(engineLatency.stop, driver.stop(id, timeoutSeconds), () => `stopped ${id}`),
    remove: (id, options) =>
      slow(
        engineLatency.remove,
        Effect.flatMap(
          Effect.orElseSucceed(driver.inspect(id), () => undefined),
          (info) => Effect.tap(driver.remove(id, options), () => info === undefined ? undefined : watch.removed(info))
        ),
        () => `removed ${id}`
      ),
    removeVolume: (name) => slow(engineLatency.removeVolume, driver.removeVolume(name), () => `removed volume ${name}`),
    inspect: (id) => slow(engineLatency.inspect, driver.inspect(id)),
    listByLabels: (labels) => slow(engineLatency.listByLabels, driver.listByLabels(labels)),
    ping: slow(engineLatency.ping, driver.ping),
    events: driver.events
  }
}
