/**
 * `knot space list --watch`: the table once the node has sent its state, then one line per
 * change as the change feed pushes it, until interrupted. With `--json`, one JSON object per
 * line (the space, or `{ removed }`), for scripts that follow it.
 */
import type { HttpClient } from "@effect/platform"
import { Console, Effect, Stream } from "effect"
import type { SpaceView } from "../../effects/http/api.schemas.ts"
import { followFeed } from "./changeFeedClient.ts"
import type { CliFailure } from "./cliFailure.ts"
import type { Session } from "./session.ts"

export interface WatchOptions {
  readonly json: boolean
  readonly table: (spaces: ReadonlyArray<SpaceView>) => string
  readonly status: (space: SpaceView) => string
}

const clock = (at: Date) => at.toTimeString().slice(0, 8)

const lineOf = (space: SpaceView, status: string) =>
  `${clock(new Date())}  ${space.owner}/${space.name}  ${status}${space.reason === undefined ? "" : ` (${space.reason})`}  on ${space.node} (${space.zone})`

export const watchSpaces = (
  session: Session,
  options: WatchOptions
): Effect.Effect<void, CliFailure, HttpClient.HttpClient> =>
  Effect.suspend(() => {
    /** What was last printed of each space, to print only what changed. */
    const printed = new Map<string, { readonly space: SpaceView; readonly line: string }>()
    /** The state a `reset` begins, complete at `synced`. */
    let incoming: Map<string, SpaceView> | undefined
    let tableShown = false

    const shownAs = (space: SpaceView) => JSON.stringify([space.name, options.status(space), space.reason, space.node])

    const changed = (space: SpaceView): Effect.Effect<void> => {
      const line = shownAs(space)
      if (printed.get(space.id)?.line === line) return Effect.void
      printed.set(space.id, { space, line })
      if (!tableShown) return Effect.void
      return options.json ? Console.log(JSON.stringify(space)) : Console.log(lineOf(space, options.status(space)))
    }

    const removed = (id: string): Effect.Effect<void> => {
      const was = printed.get(id)
      if (was === undefined) return Effect.void
      printed.delete(id)
      return options.json
        ? Console.log(JSON.stringify({ removed: { id, owner: was.space.owner, name: was.space.name } }))
        : Console.log(`${clock(new Date())}  ${was.space.owner}/${was.space.name}  removed`)
    }

    return followFeed(session.connection).pipe(
      Stream.runForEach((event) => {
        switch (event._tag) {
          case "reset":
            incoming = new Map()
            return Effect.void
          case "space":
            if (incoming !== undefined) {
              incoming.set(event.space.id, event.space)
              return Effect.void
            }
            return changed(event.space)
          case "space-removed":
            incoming?.delete(event.id)
            return incoming === undefined ? removed(event.id) : Effect.void
          case "synced": {
            const state = incoming
            incoming = undefined
            if (state === undefined) return Effect.void
            const gone = [...printed.keys()].filter((id) => !state.has(id))
            return Effect.gen(function*() {
              yield* Effect.forEach(gone, removed, { discard: true })
              yield* Effect.forEach(state.values(), changed, { discard: true })
              if (!tableShown) {
                tableShown = true
                const spaces = [...state.values()]
                yield* options.json ? Effect.forEach(spaces, (space) => Console.log(JSON.stringify(space)), { discard: true }) : Console.log(options.table(spaces))
              }
            })
          }
          default:
            return Effect.void
        }
      })
    )
  })
