/**
 * After `space create` / `start` / `stop`, the request is only recorded: the owner node acts
 * on it when it sees it. The CLI follows the node's change feed until the space is observed
 * where it was asked to be, or failed, showing its progress meanwhile; nothing polls, so it
 * returns as soon as the owner's report reaches the node it talks to.
 */
import type { HttpClient } from "@effect/platform"
import { Duration, Effect, Option, Stream } from "effect"
import type { SpaceView } from "../../effects/http/api.schemas.ts"
import { followFeed } from "./changeFeedClient.ts"
import { CliFailure } from "./cliFailure.ts"
import { Progress } from "./progress.ts"
import type { Session } from "./session.ts"

/** Longer than an image pull on a slow link; `--no-wait` is there for longer still. */
export const waitTimeout = Duration.minutes(10)

export type WaitTarget = "running" | "stopped"

const statusOf = (space: SpaceView) => (space.reason === undefined ? space.observed : `${space.observed} (${space.reason})`)

/**
 * Whether the owner's report is about this request: one about an earlier request (a failure
 * of the last try) says nothing yet. Nodes from before `handled` existed do not say.
 */
const answers = (space: SpaceView, requested: number) => space.handled === undefined || space.handled >= requested

type Verdict =
  | { readonly _tag: "Waiting"; readonly status: string }
  | { readonly _tag: "Done"; readonly space: SpaceView }
  | { readonly _tag: "Failed"; readonly message: string }

const judge = (space: SpaceView, requested: number, target: WaitTarget): Verdict => {
  if (space.desired !== target) {
    return { _tag: "Failed", message: `space ${space.name} was asked to be ${space.desired} meanwhile` }
  }
  if (!answers(space, requested)) return { _tag: "Waiting", status: "requested" }
  if (space.observed === target) return { _tag: "Done", space }
  if (space.observed === "failed") {
    return { _tag: "Failed", message: `space ${space.name} failed: ${space.reason ?? "its node gave no reason"}` }
  }
  return { _tag: "Waiting", status: statusOf(space) }
}

export const waitForSpace = (
  session: Session,
  space: SpaceView,
  target: WaitTarget
): Effect.Effect<SpaceView, CliFailure, Progress | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const progress = yield* Progress
    const requested = space.generation
    const first = judge(space, requested, target)
    if (first._tag === "Done") return first.space
    if (first._tag === "Failed") return yield* new CliFailure({ message: first.message })
    return yield* progress.during(`space ${space.name}`, (report) =>
      Effect.gen(function*() {
        yield* report(first.status)
        let seenSinceReset = true
        const verdicts = followFeed(session.connection).pipe(
          Stream.mapEffect((event): Effect.Effect<Option.Option<Verdict>> => {
            switch (event._tag) {
              case "reset":
                seenSinceReset = false
                return Effect.succeedNone
              case "synced":
                return Effect.succeed(
                  seenSinceReset
                    ? Option.none()
                    : Option.some({ _tag: "Failed", message: `space ${space.name} no longer exists` } as const)
                )
              case "space-removed":
                return Effect.succeed(
                  event.id === space.id
                    ? Option.some({ _tag: "Failed", message: `space ${space.name} was deleted meanwhile` } as const)
                    : Option.none()
                )
              case "space": {
                if (event.space.id !== space.id) return Effect.succeedNone
                seenSinceReset = true
                const verdict = judge(event.space, requested, target)
                const shown = verdict._tag === "Waiting" ? verdict.status : statusOf(event.space)
                return Effect.as(report(shown), verdict._tag === "Waiting" ? Option.none() : Option.some(verdict))
              }
              default:
                return Effect.succeedNone
            }
          }),
          Stream.filterMap((verdict) => verdict)
        )
        const settled = yield* Stream.runHead(verdicts)
        if (Option.isNone(settled)) {
          return yield* new CliFailure({ message: `the change feed of ${session.connection.server} ended` })
        }
        const verdict = settled.value
        if (verdict._tag === "Done") return verdict.space
        return yield* new CliFailure({ message: verdict._tag === "Failed" ? verdict.message : verdict.status })
      })).pipe(
        Effect.timeoutFail({
          duration: waitTimeout,
          onTimeout: () =>
            new CliFailure({
              message: `space ${space.name} is not ${target} after ${Duration.format(waitTimeout)}; see \`knot space get ${space.owner}/${space.name}\``
            })
        })
      )
  })
