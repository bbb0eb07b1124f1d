/**
 * The Spaces service over the replicated store. Every request only writes the space record;
 * the owner node's space actor carries it out when the record reaches it (space.actor.ts).
 */
import { Effect, Either, Layer, Schema } from "effect"
import { Slug } from "../../storage/kinds/fields.ts"
import type { Space, SpaceDesired } from "../../storage/kinds/space.ts"
import { Space as SpaceSchema } from "../../storage/kinds/space.ts"
import type { StoredRecord } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import { ClusterView } from "../node/clusterView.ts"
import { Templates } from "../node/templates.ts"
import { placeSpace } from "./placement.ts"
import { describeParseError, liveRecord } from "./recordCodec.ts"
import { decodeSpace, encodeSpace, spaceKind, toSpaceView } from "./spaceRecord.ts"
import type { SpacesShape, SpaceView } from "./spaces.ts"
import { Spaces } from "./spaces.ts"
import { SpaceNameInvalid, SpaceNameTaken, SpaceNotFound, SpaceRequestRefused } from "./spaces.errors.ts"

const decodeName = Schema.decodeUnknownEither(Slug("a space name"))
const validateSpace = Schema.validateEither(SpaceSchema)

const viewOf = (space: Space, record: StoredRecord): SpaceView => ({
  ...space,
  id: record.id,
  updatedAt: record.version.wall
})

type Request = "start" | "stop" | "delete"

const desiredBy: Record<Request, SpaceDesired> = { start: "running", stop: "stopped", delete: "deleted" }

/**
 * Whether a request changes anything, or why it is refused. A start of a running space is a
 * no-op, but a start of a failed one is a new request (its generation moves) that makes the
 * owner try again.
 */
const judge = (space: Space, request: Request): "write" | "unchanged" | { readonly refused: string } => {
  if (request === "delete") return space.desired === "deleted" ? "unchanged" : "write"
  if (space.desired === "deleted") return { refused: "its deletion was requested; create it again once it is gone" }
  if (request === "stop") return space.desired === "stopped" ? "unchanged" : "write"
  return space.desired === "running" && space.observed === "running" ? "unchanged" : "write"
}

const make = Effect.gen(function*() {
  const store = yield* Store
  const cluster = yield* ClusterView
  const templates = yield* Templates
  // Check-then-write must not interleave on this node: two creates of one name, or two
  // requests read from the same version of a record, would lose one of them.
  const writes = yield* Effect.makeSemaphore(1)

  const find = (id: string) =>
    Effect.gen(function*() {
      const live = liveRecord(yield* store.get(spaceKind, id))
      if (live === undefined) return yield* new SpaceNotFound({ space: id })
      return [yield* decodeSpace(live), live] as const
    })

  const create: SpacesShape["create"] = (request) =>
    writes.withPermits(1)(Effect.gen(function*() {
      const name = yield* Either.mapLeft(decodeName(request.name), (error) =>
        new SpaceNameInvalid({ reason: describeParseError(error) }))
      const template = yield* templates.get(request.template)
      if (liveRecord(yield* store.get(spaceKind, name)) !== undefined) {
        return yield* new SpaceNameTaken({ space: name })
      }
      const self = yield* cluster.self
      const node = yield* placeSpace({ template: template.name, zones: template.zones }, yield* cluster.members, self.id)
      const space = yield* validateSpace({
        name,
        owner: request.owner,
        template: template.name,
        node: node.id,
        zone: node.zone,
        desired: "running",
        observed: "pending",
        generation: 1
      }).pipe(Effect.orDieWith((error) => new Error(`a new space record is invalid: ${describeParseError(error)}`)))
      const record = yield* store.put(spaceKind, name, encodeSpace(space))
      return viewOf(space, record)
    }))

  const request = (id: string, kind: Request) =>
    writes.withPermits(1)(Effect.gen(function*() {
      const [space, record] = yield* find(id)
      const verdict = judge(space, kind)
      if (verdict === "unchanged") return viewOf(space, record)
      if (verdict !== "write") return yield* new SpaceRequestRefused({ space: id, reason: verdict.refused })
      const next: Space = { ...space, desired: desiredBy[kind], generation: space.generation + 1 }
      return viewOf(next, yield* store.put(spaceKind, id, encodeSpace(next)))
    }))

  return Spaces.of({
    create,
    list: (filter) =>
      Effect.flatMap(store.list(spaceKind), (records) =>
        Effect.map(
          Effect.forEach(records, toSpaceView),
          (views) => (filter?.owner === undefined ? views : views.filter((view) => view.owner === filter.owner))
        )),
    get: (id) => Effect.map(find(id), ([space, record]) => viewOf(space, record)),
    start: (id) => request(id, "start"),
    stop: (id) => request(id, "stop"),
    delete: (id) => request(id, "delete")
  })
})

export const SpacesLive: Layer.Layer<Spaces, never, Store | ClusterView | Templates> = Layer.effect(Spaces, make)
