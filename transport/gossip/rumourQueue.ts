/**
 * Rumours waiting to be piggybacked (SWIM's dissemination component). Each is sent a bounded
 * number of times, least-sent first, so that fresh news spreads before old news; a newer
 * rumour about a member replaces the one queued for it.
 */
import type { MemberUpdate } from "./gossip.wire.ts"

interface Queued {
  readonly update: MemberUpdate
  sent: number
  /** Insertion order, so that equally sent rumours go out oldest first. */
  readonly order: number
}

const before = (x: Queued, y: Queued) => x.sent < y.sent || (x.sent === y.sent && x.order < y.order)

export class RumourQueue {
  private readonly byNode = new Map<string, Queued>()
  private order = 0

  get size(): number {
    return this.byNode.size
  }

  enqueue(update: MemberUpdate): void {
    this.byNode.delete(update.node)
    this.byNode.set(update.node, { update, sent: 0, order: this.order++ })
  }

  /**
   * Up to `max` rumours, each counted as sent once more; those sent `limit` times are dropped.
   * Every message piggybacks a take, and the queue holds a rumour per member while a cluster
   * forms: the `max` least sent are picked in one pass rather than by sorting them all.
   */
  take(max: number, limit: number, skip?: string): Array<MemberUpdate> {
    if (max <= 0 || this.byNode.size === 0) return []
    const candidates: Array<Queued> = []
    for (const queued of this.byNode.values()) {
      if (queued.update.node === skip) continue
      if (candidates.length === max && !before(queued, candidates[max - 1]!)) continue
      let at = Math.min(candidates.length, max - 1)
      candidates[at] = queued
      while (at > 0 && before(queued, candidates[at - 1]!)) {
        candidates[at] = candidates[at - 1]!
        candidates[at - 1] = queued
        at--
      }
    }
    for (const queued of candidates) {
      queued.sent++
      if (queued.sent >= limit) this.byNode.delete(queued.update.node)
    }
    return candidates.map((queued) => queued.update)
  }
}
