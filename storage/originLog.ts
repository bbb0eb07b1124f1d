/**
 * One origin's writes in version order: what `since` walks to find the records a peer lacks
 * between its watermark and ours.
 *
 * Superseding a record does not remove it here (that would be a linear search and splice
 * per write); the owner's `isCurrent` says whether an entry still stands, and the log
 * compacts itself once most of it is stale.
 */
import type { Stamp } from "./lww.ts"
import { compareStamps } from "./lww.ts"

const compactAfter = 256

export class OriginLog<E extends Stamp> {
  private entries: Array<E> = []
  private stale = 0

  constructor(private readonly isCurrent: (entry: E) => boolean) {}

  /** Entries in any order; sorts once (opening a store). */
  load(entries: ReadonlyArray<E>): void {
    this.entries = [...this.entries, ...entries].sort((a, b) => compareStamps(a, b))
  }

  add(entry: E): void {
    const last = this.entries[this.entries.length - 1]
    if (last === undefined || compareStamps(entry, last) > 0) {
      // Local writes and in-order deltas land here: their versions only grow.
      this.entries.push(entry)
    } else {
      this.entries.splice(this.firstAfter(entry), 0, entry)
    }
  }

  /** An entry of this log stopped being current. */
  retire(): void {
    this.stale++
    if (this.stale > compactAfter && this.stale * 2 > this.entries.length) {
      this.entries = this.entries.filter(this.isCurrent)
      this.stale = 0
    }
  }

  /** The current entries with `after` < version <= `upTo` (no lower bound without `after`), ascending. */
  range(after: Stamp | undefined, upTo: Stamp): Array<E> {
    const out: Array<E> = []
    for (let i = after === undefined ? 0 : this.firstAfter(after); i < this.entries.length; i++) {
      const entry = this.entries[i]!
      if (compareStamps(entry, upTo) > 0) break
      if (this.isCurrent(entry)) out.push(entry)
    }
    return out
  }

  /** The index of the first entry ordered after `stamp`. */
  private firstAfter(stamp: Stamp): number {
    let low = 0
    let high = this.entries.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (compareStamps(this.entries[middle]!, stamp) > 0) high = middle
      else low = middle + 1
    }
    return low
  }
}
