/**
 * The space record as knot stores it (kind `space`, id = the space's name), and the
 * owner-only record beside it that lets a space actor resume its lifecycle after a restart.
 */
import { Either, Schema } from "effect"
import { Space } from "../../storage/kinds/space.ts"
import { Count } from "../../storage/kinds/fields.ts"
import type { StoredRecord } from "../../storage/record.ts"
import type { CorruptRecord } from "../../storage/store.errors.ts"
import { PersistedSpaceLifecycle } from "./space.machine.ts"
import type { SpaceView } from "./spaces.ts"
import { decodeRecordValue } from "./recordCodec.ts"

export const spaceKind = "space"

/**
 * Written only by the owner node. It replicates like every record (the store has no
 * local-only keys), which also lets other nodes explain a failing space; nobody else writes
 * it, so it never races a user's request the way the space record can.
 */
export const spaceLifecycleKind = "space-lifecycle"

export const SpaceLifecycleRecord = Schema.Struct({
  lifecycle: PersistedSpaceLifecycle,
  /** The highest request generation of the space record that the lifecycle has been fed. */
  handled: Count("handled")
})
export type SpaceLifecycleRecord = typeof SpaceLifecycleRecord.Type

export const decodeSpace = (record: StoredRecord): Either.Either<Space, CorruptRecord> =>
  decodeRecordValue(Space, record)

export const decodeSpaceLifecycle = (record: StoredRecord): Either.Either<SpaceLifecycleRecord, CorruptRecord> =>
  decodeRecordValue(SpaceLifecycleRecord, record)

export const encodeSpace = Schema.encodeSync(Space)

export const toSpaceView = (record: StoredRecord): Either.Either<SpaceView, CorruptRecord> =>
  Either.map(decodeSpace(record), (space) => ({ ...space, id: record.id, updatedAt: record.version.wall }))
