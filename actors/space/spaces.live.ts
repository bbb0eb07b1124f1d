/**
 * The Spaces service over the replicated store. Every request only writes the space record;
 * the owner node's space actor carries it out when the record reaches it (space.actor.ts),
 * and reports what it sees in the space's status record, which users' requests never write.
 */
import { Effect, Either, Layer, Random, Schema } from "effect"
import { Slug } from "../../storage/kinds/fields.ts"
import type { Space, SpaceDesired } from "../../storage/kinds/space.ts"
import { Space as SpaceSchema } from "../../storage/kinds/space.ts"
import { Store } from "../../storage/store.ts"
import { ClusterView } from "../node/clusterView.ts"
import { Templates } from "../node/templates.ts"
import { placeSpace } from "./placement.ts"
import { describeParseError, liveRecord } from "./recordCodec.ts"
import { encodeSpace, listSpaceViews, readSpaceView, spaceKind } from "./spaceRecord.ts"
import type { SpacesShape, SpaceView } from "./spaces.ts"
import { Spaces } from "./spaces.ts"
import { SpaceNameInvalid, SpaceNameTaken, SpaceNotFound, SpaceRequestRefused } from "./spaces.errors.ts"

const decodeName = Schema.decodeUnknownEither(Slug("a space name"))
const validateSpace = Schema.validateEither(SpaceSchema)

type Request = "start" | "stop" | "delete"

const desiredBy: Record<Request, SpaceDesired> = { start: "running", stop: "stopped", delete: "deleted" }

/**
 * Whether a request changes anything, or why it is refused. A start of a running space is a
 * no-op, but a start of a failed one is a new request (its generation moves) that makes the
 * owner try again.
 */
const judge = (space: SpaceView, request: Request): "write" | "unchanged" | { readonly refused: string } => {
  if (request === "delete") return space.desired === "deleted" ? "unchanged" : "write"
  if (space.desired === "deleted") return { refused: "its deletion was requested; create it again once it is gone" }
  if (request === "stop") return space.desired === "stopped" ? "unchanged" : "write"
  return space.desired === "running" && space.observed === "running" ? "unchanged" : "write"
}

/** 64 random bits as 16 hex digits, from Effect's Random so that the simulator replays them. */
const mintCreationId = Effect.map(
  Effect.all([Random.nextIntBetween(0, 0x10000_0000), Random.nextIntBetween(0, 0x10000_0000)]),
  (halves) => halves.map((half) => half.toString(16).padStart(8, "0")).join("")
)

const make = Effect.gen(function*() {
  const store = yield* Store
  const cluster = yield* ClusterView
  const templates = yield* Templates
  // Check-then-write must not interleave on this node: two creates of one name, or two
  // requests read from the same version of a record, would lose one of them.
  const writes = yield* Effect.makeSemaphore(1)

  const find = (id: string) =>
    Effect.flatMap(readSpaceView(store, id), (view) =>
      view === undefined ? Effect.fail(new SpaceNotFound({ space: id })) : Effect.succeed(view))

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
      const space: Space = yield* validateSpace({
        name,
        creation: yield* mintCreationId,
        owner: request.owner,
        template: template.name,
        node: node.id,
        zone: node.zone,
        desired: "running",
        generation: 1
      }).pipe(Effect.orDieWith((error) => new Error(`a new space record is invalid: ${describeParseError(error)}`)))
      const record = yield* store.put(spaceKind, name, encodeSpace(space))
      return { ...space, observed: "pending", id: name, updatedAt: record.version.wall } satisfies SpaceView
    }))

  const request = (id: string, kind: Request) =>
    writes.withPermits(1)(Effect.gen(function*() {
      const view = yield* find(id)
      const verdict = judge(view, kind)
      if (verdict === "unchanged") return view
      if (verdict !== "write") return yield* new SpaceRequestRefused({ space: id, reason: verdict.refused })
      const next: SpaceView = { ...view, desired: desiredBy[kind], generation: view.generation + 1 }
      const record = yield* store.put(spaceKind, id, encodeSpace(next))
      return { ...next, updatedAt: record.version.wall }
    }))

  return Spaces.of({
    create,
    list: (filter) =>
      Effect.map(listSpaceViews(store), (views) =>
        filter?.owner === undefined ? views : views.filter((view) => view.owner === filter.owner)),
    get: find,
    start: (id) => request(id, "start"),
    stop: (id) => request(id, "stop"),
    delete: (id) => request(id, "delete")
  })
})

export const SpacesLive: Layer.Layer<Spaces, never, Store | ClusterView | Templates> = Layer.effect(Spaces, make)
