/**
 * The order in which a store keeps one of two writes of a key: by rank first, then by version.
 * Under last-writer-wins alone, a write made from a read before another carries the later
 * version whenever its node had not heard of the other yet, and wins everywhere. For most
 * records that is the rule (the later intent wins, and every record ranks 0), but not for two:
 *
 * - **A space's deletion is final** (rank 1, its tombstone too). Once asked, no request of the
 *   space may follow it but another delete (spaces.live.ts refuses a start or stop of a space
 *   being deleted, and a space created again has a new id), so a start or stop that arrives
 *   after it was made on a node cut off from it. Before this rule, one in five runs of the
 *   simulator's `space-partition` brought a deleted space back, stopped and empty, once the
 *   partition healed.
 * - **A leaf record ranks by its credential's `createdAt`.** `knot leaf set` and `revoke` write
 *   the record again with the credential they read; made on a node that had not heard of the
 *   leaf being added again, that write put the old credential back everywhere, and the leaf,
 *   its old credential revoked, could link no more. `knot leaf add` gives each new credential
 *   a `createdAt` past the one it replaces (leaves.ts), so a write of the credential a node
 *   read never outranks a newer one. Only the field is read, whether or not the rest of the
 *   value decodes, so that every node ranks a record the same.
 *
 * The order is total and the same on every node, so every node keeps the same record, as under
 * last-writer-wins. A store applies it to its own writes too: one outranked by the record that
 * stands is not taken (storeEngine.ts's `batch`), else it would stand on its node alone. The
 * services refuse such a write before it is made, so that a user is told.
 */
import { leafKind } from "./kinds/leaf.ts"
import { spaceKind } from "./kinds/space.ts"
import { compareStamps, type Stamp } from "./lww.ts"
import type { StoredRecord } from "./record.ts"

const fieldOf = (value: unknown, field: string): unknown =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>)[field] : undefined

/**
 * A record's rank: 1 for a space whose deletion was asked or its tombstone; a leaf record's
 * `createdAt` when it is a number; 0 for anything else.
 */
export const rankOf = (kind: string, value: unknown, deleted: boolean): number => {
  if (kind === spaceKind) return deleted || fieldOf(value, "desired") === "deleted" ? 1 : 0
  if (kind === leafKind && !deleted) {
    const createdAt = fieldOf(value, "createdAt")
    return typeof createdAt === "number" && Number.isFinite(createdAt) && createdAt > 0 ? createdAt : 0
  }
  return 0
}

/** Whether a record's rank depends on its value, so that opening a store must read more than its header. */
export const rankReadsValue = (kind: string): boolean => kind === spaceKind || kind === leafKind

/**
 * The store's order of two writes of one key, each given by its rank and its version
 * (negative when the first gives way to the second): rank first, then version. What a node
 * keeps of two writes is the greater.
 */
export const rankOrder = (rankA: number, a: Stamp, rankB: number, b: Stamp): number =>
  rankA !== rankB ? (rankA > rankB ? 1 : -1) : compareStamps(a, b)

/** `rankOrder` of two records. */
export const recordOrder = (a: StoredRecord, b: StoredRecord): number =>
  rankOrder(rankOf(a.kind, a.value, a.deleted), a.version, rankOf(b.kind, b.value, b.deleted), b.version)
