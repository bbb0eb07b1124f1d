/**
 * Whether the container engine answers, for /health. Optional: a node without it reports no
 * `engine` field. The API stays up when the engine is down; health says "degraded".
 *
 * Monitoring probes /health often, so one probe costs one ping of the engine at most, and
 * answers within `cacheFor` of each other share it: never a call per container.
 */
import { Context, Duration, Effect, Layer } from "effect"
import { ContainerDriver } from "../container/containerDriver.ts"
import type { EngineStatus } from "./api.schemas.ts"

export interface EngineHealthShape {
  readonly check: Effect.Effect<EngineStatus>
}

export interface EngineHealthOptions {
  /** How long the engine may take to answer before it counts as down; default 2 seconds. */
  readonly timeout?: Duration.DurationInput
  /** How long one answer serves later probes; default 3 seconds. */
  readonly cacheFor?: Duration.DurationInput
}

export class EngineHealth extends Context.Tag("knot/http/EngineHealth")<EngineHealth, EngineHealthShape>() {
  /** Pings the engine through the driver; an answer within `timeout` means up. */
  static readonly fromContainerDriver = (
    options: EngineHealthOptions = {}
  ): Layer.Layer<EngineHealth, never, ContainerDriver> =>
    Layer.effect(
      EngineHealth,
      Effect.gen(function*() {
        const driver = yield* ContainerDriver
        const timeout = options.timeout ?? Duration.seconds(2)
        const ping = driver.ping.pipe(
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () => ({ message: `no answer within ${Duration.format(timeout)}` })
          }),
          Effect.match({
            onFailure: (error): EngineStatus => ({ status: "down", reason: error.message }),
            onSuccess: (): EngineStatus => ({ status: "up" })
          })
        )
        return { check: yield* Effect.cachedWithTTL(ping, options.cacheFor ?? Duration.seconds(3)) }
      })
    )
}
