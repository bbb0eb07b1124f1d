/**
 * Records no later write may undo. Under last-writer-wins alone, a write made from a read
 * before another carries the later version whenever its node had not heard of the other yet,
 * and wins everywhere. For most records that is the rule (the later intent wins), but not for
 * a space's deletion: once asked, no request of the space may follow it but another delete
 * (spaces.live.ts refuses a start or stop of a space being deleted, and a space created again
 * has a new id), so a start or stop that arrives after it was made on a node cut off from it.
 * Before this rule, one in five runs of the simulator's `space-partition` brought a deleted
 * space back, stopped and empty, once the partition healed.
 *
 * The store orders records by finality first, then by version: a final record beats one
 * that is not, whatever their versions, and of two of one rank the later version wins. The
 * order is total and the same on every node, so every node keeps the same record, as under
 * last-writer-wins.
 */
import { spaceKind } from "./kinds/space.ts"
import { compareStamps, type Stamp } from "./lww.ts"
import type { StoredRecord } from "./record.ts"

/** Whether `record` is final: a space whose deletion was asked, or its tombstone. */
export const isFinal = (kind: string, value: unknown, deleted: boolean): boolean =>
  kind === spaceKind &&
  (deleted || (typeof value === "object" && value !== null && (value as { readonly desired?: unknown }).desired === "deleted"))

/** Whether finality depends on a record's value, so that opening a store must read more than its header. */
export const finalityReadsValue = (kind: string): boolean => kind === spaceKind

/**
 * The store's order of two writes of one key, each given by whether it is final and by its
 * version (negative when the first gives way to the second): finality first, then version.
 * What a node keeps of two writes is the greater.
 */
export const rankOrder = (finalA: boolean, a: Stamp, finalB: boolean, b: Stamp): number =>
  finalA !== finalB ? (finalA ? 1 : -1) : compareStamps(a, b)

/** `rankOrder` of two records. */
export const recordOrder = (a: StoredRecord, b: StoredRecord): number =>
  rankOrder(isFinal(a.kind, a.value, a.deleted), a.version, isFinal(b.kind, b.value, b.deleted), b.version)
