/**
 * Stands in for the owner node's space actor, which these tests do not run: whenever a space
 * record changes, it moves the space's observed state one step toward its desired state,
 * a few milliseconds later, as a node starting a container would. A space of the template
 * "broken" fails, as one whose image is missing would.
 */
import type { Scope } from "effect"
import { Duration, Effect, Schema, Stream } from "effect"
import type { Space, SpaceObserved } from "../../storage/kinds/space.ts"
import { Space as SpaceSchema } from "../../storage/kinds/space.ts"
import type { StoreShape } from "../../storage/store.ts"

const towardRunning: ReadonlyArray<SpaceObserved> = ["pending", "creating", "starting", "running"]

export const brokenTemplate = "broken"
export const brokenReason = "image knot-broken:latest not found"

const nextStep = (space: Space): Partial<Space> | undefined => {
  if (space.observed === "failed") return undefined
  if (space.desired === "running") {
    if (space.template === brokenTemplate) return { observed: "failed", reason: brokenReason }
    const at = towardRunning.indexOf(space.observed)
    return at === towardRunning.length - 1 ? undefined : { observed: towardRunning[at + 1]! }
  }
  if (space.desired === "stopped") {
    return space.observed === "stopped" ? undefined : { observed: space.observed === "stopping" ? "stopped" : "stopping" }
  }
  return space.observed === "deleted" ? undefined : { observed: "deleted" }
}

const decodeSpace = Schema.decodeUnknownOption(SpaceSchema)

export const ownerStandIn = (store: StoreShape, step = Duration.millis(15)): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const changes = yield* store.subscribe
    yield* Stream.fromQueue(changes).pipe(
      Stream.filter((change) => change.record.kind === "space" && !change.record.deleted),
      Stream.runForEach((change) =>
        decodeSpace(change.record.value).pipe(
          Effect.flatMap((space) => Effect.fromNullable(nextStep(space)).pipe(Effect.map((next) => ({ ...space, ...next })))),
          Effect.flatMap((next) => Effect.zipRight(Effect.sleep(step), store.put("space", change.record.id, next))),
          Effect.ignore
        )
      ),
      Effect.forkScoped
    )
  })
