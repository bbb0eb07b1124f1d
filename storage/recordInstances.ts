/**
 * Version and StoredRecord instances for values the store has already checked (stamped by its
 * own clock, or decoded under a schema-checked header).
 *
 * A Schema.Class constructor, even with validation off, copies its props, merges field
 * defaults and assigns them again: about 3 µs for a record and its version, more than
 * encoding the record, on paths that run once per record (batched writes, `since`, opening).
 * These build the very objects the constructors build — the class's prototype, the fields
 * as own properties in declaration order, nothing else (neither class has defaults) — at a
 * fraction of the cost. test/storage/recordInstances.test.ts holds them equal to
 * constructed instances, so an Effect upgrade that changes what a constructor makes fails
 * there first.
 */
import type { NodeId } from "./record.ts"
import { StoredRecord, Version } from "./record.ts"

export const makeVersion = (wall: number, counter: number, node: NodeId): Version => {
  const version: { wall: number; counter: number; node: NodeId } = Object.create(Version.prototype)
  version.wall = wall
  version.counter = counter
  version.node = node
  return version as Version
}

export const makeStoredRecord = (
  kind: string,
  id: string,
  value: unknown,
  version: Version,
  deleted: boolean
): StoredRecord => {
  const record: { kind: string; id: string; value: unknown; version: Version; deleted: boolean } = Object.create(
    StoredRecord.prototype
  )
  record.kind = kind
  record.id = id
  record.value = value
  record.version = version
  record.deleted = deleted
  return record as StoredRecord
}
