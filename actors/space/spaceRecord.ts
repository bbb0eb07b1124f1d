/**
 * The records of a space, each with one class of writer: under last-writer-wins (DESIGN.md,
 * "Replication") a record written by users and by the owner node loses a request whenever
 * the owner's report crosses it, since the report carries the request it knew of.
 *
 * - `space` (storage/kinds/space.ts): what users ask for, written on any node. The owner
 *   writes it once only, its tombstone when the space is gone: from a deletion request on,
 *   every other request is refused, so that tombstone overwrites no request.
 * - `space-status` (storage/kinds/spaceStatus.ts): what the owner node sees, for every node
 *   to show.
 * - `space-lifecycle`: the owner's lifecycle snapshot, to resume after a restart.
 *
 * The status and the lifecycle are both the owner's and written in one batch, yet kept
 * apart: every node reads the status to show a space (a list reads a thousand of them), only
 * the owner ever reads the lifecycle, whose shape is the machine's and changes with it.
 */
import { Effect, Either, Schema } from "effect"
import { Count } from "../../storage/kinds/fields.ts"
import { Space } from "../../storage/kinds/space.ts"
import { SpaceStatus } from "../../storage/kinds/spaceStatus.ts"
import type { StoredRecord } from "../../storage/record.ts"
import { readableValues } from "../../storage/readableRecords.ts"
import type { StoreShape } from "../../storage/store.ts"
import type { CorruptRecord, StoreError } from "../../storage/store.errors.ts"
import { PersistedSpaceLifecycle } from "./space.machine.ts"
import type { SpaceView } from "./spaces.ts"
import { decodeRecordValue, liveRecord } from "./recordCodec.ts"
import { renameNotice, shownNames } from "./spaceNames.ts"
import { spaceKind } from "../../storage/kinds/space.ts"

export { spaceKind }

export const spaceStatusKind = "space-status"

/** Written only by the owner node; it replicates like every record (the store has no local-only keys). */
export const spaceLifecycleKind = "space-lifecycle"

export const SpaceLifecycleRecord = Schema.Struct({
  lifecycle: PersistedSpaceLifecycle,
  /** The highest request generation of the space record that the lifecycle has been fed. */
  handled: Count("handled")
})
export type SpaceLifecycleRecord = typeof SpaceLifecycleRecord.Type

export const decodeSpace = (record: StoredRecord): Either.Either<Space, CorruptRecord> =>
  decodeRecordValue(Space, record)

export const decodeSpaceStatus = (record: StoredRecord): Either.Either<SpaceStatus, CorruptRecord> =>
  decodeRecordValue(SpaceStatus, record)

export const decodeSpaceLifecycle = (record: StoredRecord): Either.Either<SpaceLifecycleRecord, CorruptRecord> =>
  decodeRecordValue(SpaceLifecycleRecord, record)

/** Also drops the fields of a SpaceView that are not the space record's. */
export const encodeSpace = Schema.encodeSync(Space)

export const encodeSpaceStatus = Schema.encodeSync(SpaceStatus)

/** What a space shows until its owner reports: a request recorded, nothing observed yet. */
const notObservedYet: SpaceStatus = { observed: "pending" }

/**
 * The space as users see it: its record joined with its owner's status, changed when either
 * last changed. A status counts only if the space's owner node wrote it (its version names
 * the writer): one left by an earlier space of that name on another node says nothing of this one.
 */
export const toSpaceView = (
  record: StoredRecord,
  status: StoredRecord | undefined
): Either.Either<SpaceView, CorruptRecord> =>
  Either.gen(function*() {
    const space = yield* decodeSpace(record)
    const reported = liveRecord(status)
    const own = reported !== undefined && reported.version.node === space.node ? reported : undefined
    const shown = own === undefined ? notObservedYet : yield* decodeSpaceStatus(own)
    return {
      ...space,
      ...shown,
      id: record.id,
      updatedAt: Math.max(record.version.wall, own?.version.wall ?? 0)
    }
  })

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Every space as users see it, each under the name it shows (spaceNames.ts), ordered by owner and that name. */
export const listSpaceViews = (store: StoreShape): Effect.Effect<ReadonlyArray<SpaceView>, StoreError> =>
  Effect.gen(function*() {
    const [records, statuses] = yield* Effect.all([store.list(spaceKind), store.list(spaceStatusKind)])
    // A status that does not decode is left out before joining, so that its space still shows.
    const readable = yield* readableValues(store, statuses, (status) => Either.map(decodeSpaceStatus(status), () => status))
    const statusOf = new Map(readable.map((status) => [status.id, status]))
    const views = yield* readableValues(store, records, (record) => toSpaceView(record, statusOf.get(record.id)))
    return namedAndSorted(views)
  })

/** Each view under the name it shows (spaceNames.ts), ordered by owner and that name. */
export const namedAndSorted = (views: ReadonlyArray<SpaceView>): Array<SpaceView> => {
  const shown = shownNames(views)
  return views
    .map((view): SpaceView => {
      const name = shown.get(view.id) ?? view.name
      return name === view.name ? view : { ...view, name, askedAs: view.name, notice: renameNotice(view.name, name) }
    })
    .sort((a, b) => byText(a.owner, b.owner) || byText(a.name, b.name) || byText(a.id, b.id))
}

/** The name the space's create asked for, which its record keeps. */
export const spaceAsked = (view: SpaceView): string => view.askedAs ?? view.name

/** The space `id` as users see it; `undefined` when it has no live record. */
export const readSpaceView = (store: StoreShape, id: string): Effect.Effect<SpaceView | undefined, StoreError> =>
  Effect.map(listSpaceViews(store), (views) => views.find((view) => view.id === id))

/** The owner's live space that shows as `name`; `undefined` when there is none. */
export const findSpaceView = (
  store: StoreShape,
  owner: string,
  name: string
): Effect.Effect<SpaceView | undefined, StoreError> =>
  Effect.map(listSpaceViews(store), (views) => views.find((view) => view.owner === owner && view.name === name))
