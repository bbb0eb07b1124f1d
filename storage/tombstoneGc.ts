/**
 * When a tombstone may be dropped.
 *
 * The rule: a tombstone may go once it is older than `minAgeMs` (by its HLC wall time) and
 * every digest we know — our own and each known peer's — covers its version, i.e. has a
 * watermark for the tombstone's origin at or above it.
 *
 * Why that is safe. A watermark at or above the tombstone promises that the store holds
 * every write of its origin up to it that has not been superseded: so the store holds the
 * tombstone, a newer write of the key, or (when a newer write replaced the tombstone
 * elsewhere) will receive that newer write through anti-entropy. In no case does a known
 * store keep an older write of the key as its final state, so the deleted value cannot come
 * back for good; in the last case an older value may show on this node until the newer
 * write arrives, which it then loses to. Writes still in flight as eager pushes are what
 * `minAgeMs` is for: it must exceed the longest time a message can spend in the network or
 * a queue. And a stray older write that does arrive finds no record under a watermark that
 * covers it, which a store reads as "superseded and collected" and ignores (see `wins` in
 * storeEngine.ts).
 *
 * What it does not cover: a node that is not in the peer list (removed, or never seen) and
 * comes back with old data. Membership must keep a peer listed until it is gone for good.
 */
import type { Stamp } from "./lww.ts"
import { compareStamps } from "./lww.ts"
import type { Digest } from "./record.ts"

export const isCollectible = (
  tombstone: Stamp,
  nowMs: number,
  minAgeMs: number,
  digests: ReadonlyArray<Digest>
): boolean =>
  nowMs - tombstone.wall >= minAgeMs &&
  digests.every((digest) => {
    const watermark = digest[tombstone.node]
    return watermark !== undefined && compareStamps(watermark, tombstone) >= 0
  })
