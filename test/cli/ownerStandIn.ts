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

/** Fails its first try, as a space whose image was loaded only after its create would. */
export const flakyTemplate = "flaky"

const nextObserved = (space: Space, observed: SpaceObserved): SpaceStatus | undefined => {
  if (space.desired === "running") {
    if (space.template === brokenTemplate || (space.template === flakyTemplate && space.generation === 1)) {
      return observed === "failed" ? undefined : { observed: "failed", reason: brokenReason }
    }
    const at = towardRunning.indexOf(observed === "failed" ? "pending" : observed)
    return at === towardRunning.length - 1 ? undefined : { observed: towardRunning[at + 1]! }
  }
  if (space.desired === "stopped") {
    return observed === "stopped" ? undefined : { observed: observed === "stopping" ? "stopped" : "stopping" }
  }
  return observed === "deleted" ? undefined : { observed: "deleted" }
}

/** The next status, which reports the request generation it acted on; a failure is retried only by a new request. */
const nextStatus = (space: Space, status: SpaceStatus): SpaceStatus | undefined => {
  const fresh = (status.handled ?? 0) < space.generation
  if (status.observed === "failed" && !fresh) return undefined
  const next = nextObserved(space, status.observed)
  if (next === undefined) return fresh ? { ...status, handled: space.generation } : undefined
  return { ...next, handled: space.generation }
}

const decodeSpace = Schema.decodeUnknownOption(SpaceSchema)
const decodeStatus = Schema.decodeUnknownOption(SpaceStatusSchema)

/** The space's next status, if it has one to move to. */
const advance = (store: StoreShape, id: string) =>
  Effect.gen(function*() {
    const record = yield* store.get("space", id)
    if (record === undefined || record.deleted) return Option.none<SpaceStatus>()
    const status = yield* store.get("space-status", id)
    const current: SpaceStatus = status === undefined || status.deleted
      ? { observed: "pending" }
      : Option.getOrElse(decodeStatus(status.value), (): SpaceStatus => ({ observed: "pending" }))
    return Option.flatMap(decodeSpace(record.value), (space) => Option.fromNullable(nextStatus(space, current)))
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
