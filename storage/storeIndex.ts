/**
 * The part of a store kept in memory: for every record its version and whether it is a
 * tombstone, per origin the records in version order, and the set of tombstones. Merges,
 * `since` and garbage collection read only this, so gossip never waits on the disk to
 * decide what to send or keep; record values stay on disk.
 */
import type { Stamp } from "./lww.ts"
import { OriginLog } from "./originLog.ts"

/** What the index knows of one stored record (its version's fields). A new write makes a new entry. */
export class IndexEntry implements Stamp {
  constructor(
    /** recordKey(kind, id) */
    readonly key: string,
    readonly kind: string,
    readonly id: string,
    readonly wall: number,
    readonly counter: number,
    readonly node: string,
    readonly deleted: boolean,
    /** What a write of lower rank, whatever its version, does not replace (recordRank.ts). */
    readonly rank: number
  ) {}
}

/** A record whose stored value could not be decoded: it has no known version. */
export interface QuarantinedRecord {
  readonly kind: string
  readonly id: string
  readonly key: string
  readonly reason: string
}

export class StoreIndex {
  private readonly byKind = new Map<string, Map<string, IndexEntry>>()
  private readonly origins = new Map<string, OriginLog<IndexEntry>>()
  private readonly tombstoneSet = new Set<IndexEntry>()
  private readonly quarantine = new Map<string, QuarantinedRecord>()
  private readonly isCurrent = (entry: IndexEntry) => this.current(entry.kind, entry.id) === entry

  /** Entries read when the store opens, in any order. */
  load(entries: ReadonlyArray<IndexEntry>, quarantined: ReadonlyArray<QuarantinedRecord>): void {
    const perOrigin = new Map<string, Array<IndexEntry>>()
    for (const entry of entries) {
      this.kindMap(entry.kind).set(entry.id, entry)
      if (entry.deleted) this.tombstoneSet.add(entry)
      const list = perOrigin.get(entry.node)
      if (list === undefined) perOrigin.set(entry.node, [entry])
      else list.push(entry)
    }
    for (const [origin, list] of perOrigin) this.log(origin).load(list)
    for (const record of quarantined) this.quarantine.set(record.key, record)
  }

  current(kind: string, id: string): IndexEntry | undefined {
    return this.byKind.get(kind)?.get(id)
  }

  quarantined(key: string): QuarantinedRecord | undefined {
    return this.quarantine.get(key)
  }

  get quarantinedCount(): number {
    return this.quarantine.size
  }

  /** Records `entry` as the current state of its (kind, id), replacing what was there. */
  set(entry: IndexEntry): void {
    const kind = this.kindMap(entry.kind)
    const previous = kind.get(entry.id)
    kind.set(entry.id, entry)
    if (previous !== undefined) this.forget(previous)
    this.quarantine.delete(entry.key)
    if (entry.deleted) this.tombstoneSet.add(entry)
    this.log(entry.node).add(entry)
  }

  /** Drops a record without a trace: a collected tombstone, an evicted or expired record. */
  remove(entry: IndexEntry): void {
    const kind = this.byKind.get(entry.kind)
    if (kind?.get(entry.id) !== entry) return
    kind.delete(entry.id)
    if (kind.size === 0) this.byKind.delete(entry.kind)
    this.forget(entry)
  }

  /** Every entry of a kind, tombstones included, in no order. */
  ofKind(kind: string): Array<IndexEntry> {
    return [...(this.byKind.get(kind)?.values() ?? [])]
  }

  /** Live (non-deleted) entries of a kind, by id. */
  live(kind: string): Array<IndexEntry> {
    const entries: Array<IndexEntry> = []
    for (const entry of this.byKind.get(kind)?.values() ?? []) {
      if (!entry.deleted) entries.push(entry)
    }
    return entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  /** Current entries written by `origin` with `after` < version <= `upTo`, ascending. */
  range(origin: string, after: Stamp | undefined, upTo: Stamp): Array<IndexEntry> {
    return this.origins.get(origin)?.range(after, upTo) ?? []
  }

  tombstones(): ReadonlyArray<IndexEntry> {
    return [...this.tombstoneSet]
  }

  private forget(entry: IndexEntry): void {
    this.tombstoneSet.delete(entry)
    this.origins.get(entry.node)?.retire()
  }

  private kindMap(kind: string): Map<string, IndexEntry> {
    let map = this.byKind.get(kind)
    if (map === undefined) {
      map = new Map()
      this.byKind.set(kind, map)
    }
    return map
  }

  private log(origin: string): OriginLog<IndexEntry> {
    let log = this.origins.get(origin)
    if (log === undefined) {
      log = new OriginLog(this.isCurrent)
      this.origins.set(origin, log)
    }
    return log
  }
}
