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

  /** Up to `max` rumours, each counted as sent once more; those sent `limit` times are dropped. */
  take(max: number, limit: number, skip?: string): Array<MemberUpdate> {
    if (max <= 0 || this.byNode.size === 0) return []
    const candidates = [...this.byNode.values()]
      .filter((queued) => queued.update.node !== skip)
      .sort((x, y) => x.sent - y.sent || x.order - y.order)
      .slice(0, max)
    for (const queued of candidates) {
      queued.sent++
      if (queued.sent >= limit) this.byNode.delete(queued.update.node)
    }
    return candidates.map((queued) => queued.update)
  }
}
