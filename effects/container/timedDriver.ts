/**
 * A ContainerDriver whose calls are timed, by call and outcome, in the metric
 * `knot_engine_call_duration_seconds` (what /metrics shows of the engine's latency). The
 * event stream is a long-lived follow, not a call, and passes through untimed.
 */
import { Clock, Effect, Exit, Layer, Metric, MetricBoundaries } from "effect"
import type { ContainerDriverShape } from "./containerDriver.ts"
import { ContainerDriver } from "./containerDriver.ts"

const callDuration = Metric.histogram(
  "knot_engine_call_duration_seconds",
  MetricBoundaries.exponential({ start: 0.001, factor: 2, count: 16 }),
  "time a container engine call took, by call and outcome"
)

const timed = <A, E>(call: string, effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const exit = yield* Effect.exit(effect)
    const elapsed = (yield* Clock.currentTimeMillis) - started
    const outcome = Exit.isSuccess(exit) ? "ok" : "error"
    yield* Metric.update(callDuration.pipe(Metric.tagged("call", call), Metric.tagged("outcome", outcome)), elapsed / 1000)
    return yield* exit
  })

export const timedDriver = (driver: ContainerDriverShape): ContainerDriverShape => ({
  create: (spec) => timed("create", driver.create(spec)),
  start: (id) => timed("start", driver.start(id)),
  stop: (id, timeoutSeconds) => timed("stop", driver.stop(id, timeoutSeconds)),
  remove: (id, options) => timed("remove", driver.remove(id, options)),
  removeVolume: (name) => timed("removeVolume", driver.removeVolume(name)),
  inspect: (id) => timed("inspect", driver.inspect(id)),
  listByLabels: (labels) => timed("listByLabels", driver.listByLabels(labels)),
  ping: timed("ping", driver.ping),
  events: driver.events
})

/** The driver `layer` provides, timed. */
export const withCallTimings = <E, R>(layer: Layer.Layer<ContainerDriver, E, R>): Layer.Layer<ContainerDriver, E, R> =>
  Layer.effect(ContainerDriver, Effect.map(ContainerDriver, timedDriver)).pipe(Layer.provide(layer))
