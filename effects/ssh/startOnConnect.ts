/**
 * A connection to a stopped space starts it only where its template says `startOnConnect`;
 * otherwise the stream's open says, in one line, that the space is stopped.
 */
import { Duration, Effect, Schedule } from "effect"
import { Templates } from "../../actors/node/templates.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import { StreamFailed } from "../streams/spaceStreams.errors.ts"

/** A container starts in seconds; past this the open reports the space as it then is. */
const startLimit = Duration.seconds(60)

export const startIfTemplateSays = (space: string) =>
  Effect.gen(function*() {
    const spaces = yield* Spaces
    const view = yield* Effect.orElseSucceed(spaces.get(space), () => undefined)
    if (view === undefined || view.observed === "running") return
    const template = yield* Effect.orElseSucceed((yield* Templates).get(view.template), () => undefined)
    if (template?.startOnConnect !== true) return
    const label = `${view.owner}/${view.name}`
    if (view.desired !== "running") {
      yield* spaces.start(space).pipe(
        Effect.mapError((error) => new StreamFailed({ space: label, reason: `it is stopped and could not be started: ${error.message}` }))
      )
    }
    yield* spaces.get(space).pipe(
      Effect.repeat({ schedule: Schedule.spaced("250 millis"), until: (current) => current.observed === "running" || current.observed === "failed" }),
      Effect.timeout(startLimit),
      Effect.ignore
    )
  })
