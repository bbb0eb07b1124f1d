/**
 * Whether the container engine answers, for /health. Optional: a node without it reports no
 * `engine` field. The API stays up when the engine is down; health says "degraded".
 */
import { Context, Duration, Effect, Layer } from "effect"
import { ContainerDriver, SpaceLabels } from "../container/containerDriver.ts"
import type { EngineStatus } from "./api.schemas.ts"

export interface EngineHealthShape {
  readonly check: Effect.Effect<EngineStatus>
}

export class EngineHealth extends Context.Tag("knot/http/EngineHealth")<EngineHealth, EngineHealthShape>() {
  /** Asks the driver for this node's containers; an answer within `timeout` means up. */
  static readonly fromContainerDriver = (
    nodeId: string,
    timeout: Duration.DurationInput = Duration.seconds(2)
  ): Layer.Layer<EngineHealth, never, ContainerDriver> =>
    Layer.effect(
      EngineHealth,
      Effect.map(ContainerDriver, (driver) => ({
        check: driver.listByLabels({ [SpaceLabels.node]: nodeId }).pipe(
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () => ({ message: `no answer within ${Duration.format(timeout)}` })
          }),
          Effect.match({
            onFailure: (error): EngineStatus => ({ status: "down", reason: error.message }),
            onSuccess: (): EngineStatus => ({ status: "up" })
          })
        )
      }))
    )
}
