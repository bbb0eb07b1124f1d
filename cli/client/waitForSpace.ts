/**
 * After `space create` / `start` / `stop`, the request is only recorded: the owner node acts
 * on it when it sees it. The CLI polls the space until it is observed where it was asked to
 * be, or failed, showing its progress meanwhile.
 */
import { Context, Duration, Effect } from "effect"
import type { SpaceView } from "../../effects/http/api.schemas.ts"
import { CliFailure } from "./cliFailure.ts"
import { Progress } from "./progress.ts"
import { addressOf } from "./spaceAddress.ts"
import type { Session } from "./session.ts"

export class PollInterval extends Context.Reference<PollInterval>()("knot/cli/PollInterval", {
  defaultValue: () => Duration.millis(500)
}) {}

/** Longer than an image pull on a slow link; `--no-wait` is there for longer still. */
export const waitTimeout = Duration.minutes(10)

export type WaitTarget = "running" | "stopped"

const statusOf = (space: SpaceView) => (space.reason === undefined ? space.observed : `${space.observed} (${space.reason})`)

export const waitForSpace = (
  session: Session,
  space: SpaceView,
  target: WaitTarget
): Effect.Effect<SpaceView, CliFailure, Progress> =>
  Effect.gen(function*() {
    const progress = yield* Progress
    const interval = yield* PollInterval
    return yield* progress.during(`space ${space.name}`, (report) => {
      const settle = (view: SpaceView): Effect.Effect<SpaceView, CliFailure> =>
        Effect.gen(function*() {
          yield* report(statusOf(view))
          if (view.observed === target) return view
          if (view.observed === "failed") {
            return yield* new CliFailure({ message: `space ${view.name} failed: ${view.reason ?? "its node gave no reason"}` })
          }
          if (view.desired !== target) {
            return yield* new CliFailure({ message: `space ${view.name} was asked to be ${view.desired} meanwhile` })
          }
          yield* Effect.sleep(interval)
          return yield* settle(yield* session.call(session.client.spaces.get({ path: addressOf(view) })))
        })
      return settle(space)
    }).pipe(
      Effect.timeoutFail({
        duration: waitTimeout,
        onTimeout: () =>
          new CliFailure({
            message: `space ${space.name} is not ${target} after ${Duration.format(waitTimeout)}; see \`knot space get ${space.name}\``
          })
      })
    )
  })
