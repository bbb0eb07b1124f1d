/**
 * The Spaces service over the replicated store. Every request only writes the space record;
 * the owner node's space actor carries it out when the record reaches it (space.actor.ts),
 * and reports what it sees in the space's status record, which users' requests never write.
 */
import { checkRoom, quotaOf, settleLimits } from "./quotas.ts"
import { Clock, Effect, Either, Layer, Random, Schema } from "effect"
import { Slug } from "../../storage/kinds/fields.ts"
import type { Space, SpaceDesired } from "../../storage/kinds/space.ts"
import { Space as SpaceSchema } from "../../storage/kinds/space.ts"
import { Store } from "../../storage/store.ts"
import { ClusterView } from "../node/clusterView.ts"
import { Templates } from "../node/templates.ts"
import { placeSpace } from "./placement.ts"
import { describeParseError } from "./recordCodec.ts"
import type { StoreShape } from "../../storage/store.ts"
import type { StoreError } from "../../storage/store.errors.ts"
import type { Template } from "../../storage/kinds/template.ts"
import { readKeptVolume, volumeKind } from "./keptVolumes.ts"
import { encodeSpace, spaceAsked, spaceKind } from "./spaceRecord.ts"
import { makeSpaceViews } from "./spaceViews.ts"
import type { CreateSpace, SpacesShape, SpaceView } from "./spaces.ts"
import { Spaces } from "./spaces.ts"
import {
  SpaceNameInvalid,
  SpaceNameTaken,
  SpaceNotFound,
  SpaceRequestRefused,
  VolumeNotFound,
  VolumeNotYours,
  VolumeReuseInvalid
} from "./spaces.errors.ts"

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

/** The kept volumes a create asks to mount, checked: all the owner's, all still kept, all on one node. */
const claimVolumes = (
  store: StoreShape,
  request: CreateSpace,
  template: Template
): Effect.Effect<
  { readonly node: string | undefined; readonly volumes: Record<string, string> },
  VolumeNotFound | VolumeNotYours | VolumeReuseInvalid | StoreError
> =>
  Effect.gen(function*() {
    const volumes: Record<string, string> = {}
    const nodes = new Set<string>()
    for (const [name, id] of Object.entries(request.reuseVolumes ?? {})) {
      if (!template.volumes.some((volume) => volume.name === name)) {
        return yield* new VolumeReuseInvalid({ reason: `template ${template.name} has no volume named ${name}` })
      }
      const kept = yield* readKeptVolume(store, id)
      if (kept === undefined || kept.desired !== "kept") return yield* new VolumeNotFound({ volume: id })
      if (kept.owner !== request.owner) return yield* new VolumeNotYours({ volume: id })
      if (Object.values(volumes).includes(id)) {
        return yield* new VolumeReuseInvalid({ reason: `volume ${id} is named twice` })
      }
      volumes[name] = id
      nodes.add(kept.node)
    }
    if (nodes.size > 1) {
      return yield* new VolumeReuseInvalid({ reason: `the volumes live on different nodes (${[...nodes].sort().join(", ")})` })
    }
    return { node: [...nodes][0], volumes }
  })

/** The service itself, for a caller that builds it without a layer (nodeServices.ts). */
export const makeSpaces = Effect.gen(function*() {
  const store = yield* Store
  const cluster = yield* ClusterView
  const templates = yield* Templates
  // Check-then-write must not interleave on this node: two creates of one name, or two
  // requests read from the same version of a record, would lose one of them.
  const writes = yield* Effect.makeSemaphore(1)
  // A store that cannot be read at start leaves this node nothing to serve.
  const views = yield* Effect.orDie(makeSpaceViews(store))
  const viewsOf = (owner: string) => Effect.map(views.all, (all) => all.filter((view) => view.owner === owner))

  const get = (id: string) =>
    Effect.flatMap(views.byId(id), (view) =>
      view === undefined ? Effect.fail(new SpaceNotFound({ space: id })) : Effect.succeed(view))

  const find = (owner: string, name: string) =>
    Effect.flatMap(Effect.map(viewsOf(owner), (own) => own.find((view) => view.name === name)), (view) =>
      view === undefined ? Effect.fail(new SpaceNotFound({ space: `${owner}/${name}` })) : Effect.succeed(view))

  const create: SpacesShape["create"] = (request) =>
    writes.withPermits(1)(Effect.gen(function*() {
      const name = yield* Either.mapLeft(decodeName(request.name), (error) =>
        new SpaceNameInvalid({ reason: describeParseError(error) }))
      const template = yield* templates.get(request.template)
      const own = yield* viewsOf(request.owner)
      // A name asked for by a space that shows under another (spaceNames.ts) is taken too: it
      // would show as that name the moment the earlier one is gone.
      if (own.some((view) => view.name === name || spaceAsked(view) === name)) {
        return yield* new SpaceNameTaken({ space: name })
      }
      const quota = yield* quotaOf(store, request.owner)
      yield* checkRoom(request.owner, own, quota, { space: true, running: true })
      const limits = yield* settleLimits(request.owner, template, quota)
      const reuse = yield* claimVolumes(store, request, template)
      const self = yield* cluster.self
      const node = yield* placeSpace(
        { template: template.name, zones: template.zones, node: reuse.node },
        yield* cluster.members,
        self.id
      )
      const creation = yield* mintCreationId
      const space: Space = yield* validateSpace({
        name,
        creation,
        owner: request.owner,
        createdAt: yield* Clock.currentTimeMillis,
        ...(Object.keys(reuse.volumes).length === 0 ? {} : { reusedVolumes: reuse.volumes }),
        ...(Object.keys(limits).length === 0 ? {} : { limits }),
        template: template.name,
        node: node.id,
        zone: node.zone,
        desired: "running",
        generation: 1
      }).pipe(Effect.orDieWith((error) => new Error(`a new space record is invalid: ${describeParseError(error)}`)))
      // The claimed volumes leave the kept list in the same write: two creates cannot both take one here.
      const [record] = yield* store.batch([
        { _tag: "Put", kind: spaceKind, id: creation, value: encodeSpace(space) },
        ...Object.values(reuse.volumes).map((id) => ({ _tag: "Delete" as const, kind: volumeKind, id }))
      ])
      return { ...space, observed: "pending", id: creation, updatedAt: record!.version.wall } satisfies SpaceView
    }))

  /** `admit`: what the request must pass besides its state's rule (a start, its owner's quota). */
  const request = <E>(id: string, kind: Request, admit: (view: SpaceView) => Effect.Effect<void, E>) =>
    writes.withPermits(1)(Effect.gen(function*() {
      const view = yield* get(id)
      const verdict = judge(view, kind)
      if (verdict === "unchanged") return view
      if (verdict !== "write") {
        return yield* new SpaceRequestRefused({ space: `${view.owner}/${view.name}`, reason: verdict.refused })
      }
      yield* admit(view)
      const next: SpaceView = { ...view, desired: desiredBy[kind], generation: view.generation + 1 }
      const record = yield* store.put(spaceKind, id, encodeSpace({ ...next, name: spaceAsked(view) }))
      return { ...next, updatedAt: record.version.wall }
    }))

  const roomToRun = (view: SpaceView) =>
    Effect.gen(function*() {
      const own = yield* viewsOf(view.owner)
      yield* checkRoom(view.owner, own, yield* quotaOf(store, view.owner), { space: false, running: true })
    })

  return Spaces.of({
    create,
    list: (filter) =>
      Effect.map(views.all, (views) =>
        filter?.owner === undefined ? views : views.filter((view) => view.owner === filter.owner)),
    get,
    find,
    start: (id) => request(id, "start", roomToRun),
    stop: (id) => request(id, "stop", () => Effect.void),
    delete: (id) => request(id, "delete", () => Effect.void)
  })
})
export const SpacesLive: Layer.Layer<Spaces, never, Store | ClusterView | Templates> = Layer.scoped(Spaces, makeSpaces)
