/**
 * Stands in for the owner node's space actor, which these tests do not run: whenever a space
 * or its status changes, it writes the space's next status one step toward what was asked,
 * a few milliseconds later, as a node starting a container would. A space of the template
 * "broken" fails, as one whose image is missing would.
 */
import type { Scope } from "effect"
import { Duration, Effect, Option, Schema, Stream } from "effect"
import type { Space } from "../../storage/kinds/space.ts"
import { Space as SpaceSchema } from "../../storage/kinds/space.ts"
import type { SpaceObserved, SpaceStatus } from "../../storage/kinds/spaceStatus.ts"
import { SpaceStatus as SpaceStatusSchema } from "../../storage/kinds/spaceStatus.ts"
import type { StoreShape } from "../../storage/store.ts"

const towardRunning: ReadonlyArray<SpaceObserved> = ["pending", "creating", "starting", "running"]

export const brokenTemplate = "broken"
export const brokenReason = "image knot-broken:latest not found"

const nextStatus = (space: Space, observed: SpaceObserved): SpaceStatus | undefined => {
  if (observed === "failed") return undefined
  if (space.desired === "running") {
    if (space.template === brokenTemplate) return { observed: "failed", reason: brokenReason }
    const at = towardRunning.indexOf(observed)
    return at === towardRunning.length - 1 ? undefined : { observed: towardRunning[at + 1]! }
  }
  if (space.desired === "stopped") {
    return observed === "stopped" ? undefined : { observed: observed === "stopping" ? "stopped" : "stopping" }
  }
  return observed === "deleted" ? undefined : { observed: "deleted" }
}

const decodeSpace = Schema.decodeUnknownOption(SpaceSchema)
const decodeStatus = Schema.decodeUnknownOption(SpaceStatusSchema)

/** The space's next status, if it has one to move to. */
const advance = (store: StoreShape, id: string) =>
  Effect.gen(function*() {
    const record = yield* store.get("space", id)
    if (record === undefined || record.deleted) return Option.none<SpaceStatus>()
    const status = yield* store.get("space-status", id)
    const observed = status === undefined || status.deleted
      ? "pending"
      : Option.match(decodeStatus(status.value), { onNone: () => "pending" as const, onSome: (s) => s.observed })
    return Option.flatMap(decodeSpace(record.value), (space) => Option.fromNullable(nextStatus(space, observed)))
  })

export const ownerStandIn = (store: StoreShape, step = Duration.millis(15)): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const changes = yield* store.subscribe
    yield* Stream.fromQueue(changes).pipe(
      Stream.filter((change) =>
        (change.record.kind === "space" || change.record.kind === "space-status") && !change.record.deleted
      ),
      Stream.runForEach((change) =>
        advance(store, change.record.id).pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.void,
            onSome: (next) => Effect.zipRight(Effect.sleep(step), store.put("space-status", change.record.id, next))
          })),
          Effect.ignore
        )
      ),
      Effect.forkScoped
    )
  })
