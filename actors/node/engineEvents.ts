/**
 * The node follows its engine's events for the containers labelled with its id, so that a
 * space learns at once that its container died, started or was removed behind knot's back,
 * instead of at its next periodic check. Each time the stream is (re)subscribed every space
 * checks once: what happened while nobody followed (an engine restart, a dropped connection,
 * the node's own start) is unknown, and one full check closes the gap.
 */
import { Duration, Effect, Stream } from "effect"
import { ContainerDriver, SpaceLabels } from "../../effects/container/containerDriver.ts"

export interface EngineEventSink {
  /** A container of space `space` (its record id) changed. */
  readonly containerChanged: (space: string) => Effect.Effect<void>
  /** The stream was (re)subscribed: every space checks its container. */
  readonly checkAll: Effect.Effect<void>
}

/** Follows the engine's events for `node`'s containers until interrupted, resubscribing after `retryAfter`. */
export const followEngineEvents = (
  node: string,
  sink: EngineEventSink,
  retryAfter: Duration.DurationInput = "1 second"
): Effect.Effect<never, never, ContainerDriver> =>
  Effect.gen(function*() {
    const driver = yield* ContainerDriver
    let lost: string | undefined
    const followOnce = driver.events({ [SpaceLabels.node]: node }).pipe(
      Stream.runForEach((event) => {
        if (event._tag === "Following") {
          const back = lost === undefined
            ? Effect.void
            : Effect.logInfo(`following the engine's events again (lost: ${lost}); every space checks its container`)
          lost = undefined
          return Effect.zipRight(back, sink.checkAll)
        }
        const space = event.labels[SpaceLabels.space]
        return space === undefined ? Effect.void : sink.containerChanged(space)
      }),
      Effect.match({
        onFailure: (error) => error.message,
        onSuccess: () => "the engine ended its event stream"
      })
    )
    return yield* followOnce.pipe(
      Effect.flatMap((reason) => {
        // Said once per loss, not on every failed resubscription while the engine is down.
        const said = lost === undefined ? Effect.logWarning(`lost the engine's event stream: ${reason}`) : Effect.void
        lost = reason
        return Effect.zipRight(said, Effect.sleep(retryAfter))
      }),
      Effect.forever
    )
  })
