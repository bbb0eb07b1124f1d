/**
 * A connection to a stopped space starts it only where its template says `startOnConnect`;
 * otherwise the stream's open says, in one line, that the space is stopped.
 */
import { Duration, Effect, Schedule } from "effect"
import { Templates } from "../../actors/node/templates.ts"
import { Spaces, type SpaceView } from "../../actors/space/spaces.ts"
import { StreamFailed } from "../streams/spaceStreams.errors.ts"

/** A container starts in seconds; past this the open reports the space as it then is. */
const startLimit = Duration.seconds(60)

/** Asked to run, and its owner reports it running for that request (not a status from before a stop). */
const runningFor = (view: SpaceView, generation: number) =>
  view.desired === "running" && (view.handled ?? generation) >= generation && (view.observed === "running" || view.observed === "failed")

export const startIfTemplateSays = (space: string) =>
  Effect.gen(function*() {
    const spaces = yield* Spaces
    const view = yield* Effect.orElseSucceed(spaces.get(space), () => undefined)
    if (view === undefined || view.desired === "running") return
    const template = yield* Effect.orElseSucceed((yield* Templates).get(view.template), () => undefined)
    if (template?.startOnConnect !== true) return
    const started = yield* spaces.start(space).pipe(
      Effect.mapError((error) =>
        new StreamFailed({ space: `${view.owner}/${view.name}`, reason: `it is stopped and could not be started: ${error.message}` })
      )
    )
    yield* spaces.get(space).pipe(
      Effect.repeat({ schedule: Schedule.spaced("250 millis"), until: (current) => runningFor(current, started.generation) }),
      Effect.timeout(startLimit),
      Effect.ignore
    )
  })
