/**
 * The Store semantics, once, over any KeyValueBackend: LWW merges, digest watermarks,
 * `since` deltas, tombstone collection, the change stream. RocksStore and MemoryStore differ
 * only in the backend they hand to `openStore`, which is what makes them behave alike.
 *
 * What every gossip message reads (versions, tombstones, per-origin order, the digest)
 * lives in memory (storeIndex.ts); values are read from the backend in batches (`list`
 * takes a kind's live ids from the index rather than range-scanning tombstones too). Writes are
 * serialized by one lock: each decides against the in-memory state, writes one atomic
 * batch (records and watermarks together), and only then updates memory and publishes its
 * changes, so memory never runs ahead of the disk.
 */
import { Clock, Effect, Either, PubSub, Stream } from "effect"
import { makeHlc } from "./hlc.ts"
import type { KeyValueBackend, KeyValueOp } from "./keyValueBackend.ts"
import type { Stamp } from "./lww.ts"
import { compareStamps, supersedes } from "./lww.ts"
import type { Digest, NodeId, Version } from "./record.ts"
import type { StoredRecord } from "./record.ts"
import { Delta } from "./record.ts"
import { makeStoredRecord } from "./recordInstances.ts"
import type { BatchOp, Change, MergeOutcome, SinceOptions, StoreShape } from "./store.ts"
import type { StoreError } from "./store.errors.ts"
import { CorruptRecord, StorageFailure } from "./store.errors.ts"
import type { QuarantinedRecord } from "./storeIndex.ts"
import { IndexEntry, StoreIndex } from "./storeIndex.ts"
import {
  decodeDigestEntry,
  decodeMeta,
  decodeRecord,
  decodeRecordHeader,
  decodeRecordKey,
  digestKey,
  digestPrefix,
  encodeDigestEntry,
  encodeMeta,
  encodeRecord,
  layoutFormat,
  metaKey,
  recordKey,
  recordPrefix
} from "./storeLayout.ts"
import { rankOf, rankOrder, rankReadsValue } from "./recordRank.ts"
import { isCollectible } from "./tombstoneGc.ts"

export interface StoreOptions {
  readonly nodeId: NodeId
  /** How far ahead of this node's clock a remote version may be (ClockDriftExceeded beyond). */
  readonly maxDriftMs: number
}

export interface OpenedStore {
  readonly store: StoreShape
  /** Waits for the write in progress, then makes every later call fail and ends `changes`. */
  readonly close: Effect.Effect<void>
}

/** Keys per backend read: large enough to amortize a read, small enough to stop early in `since`. */
const readChunk = 500

interface LoadedState {
  readonly digest: Map<NodeId, Version>
  readonly index: StoreIndex
  readonly highest: Stamp | undefined
}

const later = <S extends Stamp>(a: S | undefined, b: S): S => (a === undefined || supersedes(b, a) ? b : a)

/**
 * `horizon`: the latest wall time this node's clock may start at. A stamp beyond it came from
 * a peer's clock (or an edited disk), not from ours; starting there would stamp every local
 * write in the far future, where peers refuse it.
 */
const loadState = (backend: KeyValueBackend, nodeId: NodeId, horizon: number) =>
  Effect.gen(function*() {
    const [metaText] = yield* backend.getMany([metaKey])
    if (metaText === undefined) {
      yield* backend.write([{ type: "put", key: metaKey, value: encodeMeta({ format: layoutFormat, node: nodeId }) }])
    } else {
      const meta = yield* decodeMeta(metaText)
      if (meta.format !== layoutFormat) {
        return yield* new StorageFailure({
          operation: "open",
          reason: `the store is in layout format ${meta.format}, this knot reads format ${layoutFormat}; upgrade knot`
        })
      }
      if (meta.node !== nodeId) {
        return yield* new StorageFailure({
          operation: "open",
          reason: `the store belongs to node ${meta.node}, not ${nodeId}; give every node its own directory`
        })
      }
    }

    let highest: Stamp | undefined
    const digest = new Map<NodeId, Version>()
    const badWatermarks: Array<CorruptRecord> = []
    const beyondHorizon: Array<NodeId> = []
    yield* backend.scan(digestPrefix, (key, text) => {
      const version = decodeDigestEntry(key, text)
      if (Either.isLeft(version)) {
        badWatermarks.push(version.left)
      } else if (version.right.wall > horizon) {
        // Forgetting a watermark only costs asking that origin's records again.
        beyondHorizon.push(version.right.node)
      } else {
        digest.set(version.right.node, version.right)
        highest = later<Stamp>(highest, version.right)
      }
    })
    // A wrong watermark would make peers skip records this store lacks: refuse to guess.
    if (badWatermarks[0] !== undefined) return yield* badWatermarks[0]
    if (beyondHorizon.length > 0) {
      yield* Effect.logWarning(
        `ignored the stored watermarks of ${beyondHorizon.join(", ")}: they lie beyond this node's clock and drift bound`
      )
    }

    const entries: Array<IndexEntry> = []
    const unreadable: Array<readonly [key: string, reason: string]> = []
    yield* backend.scan(recordPrefix, (key, text) => {
      const header = decodeRecordHeader(key, text)
      if (Either.isRight(header)) {
        const [kind, id, wall, counter, node, deleted] = header.right
        if (recordKey(kind, id) === key) {
          // Only a space's or a leaf's value gives its rank: other records open on their header alone.
          const value = rankReadsValue(kind) && !deleted ? Either.getOrUndefined(decodeRecord(key, text))?.value : undefined
          const entry = new IndexEntry(key, kind, id, wall, counter, node, deleted, rankOf(kind, value, deleted))
          entries.push(entry)
          if (wall <= horizon) highest = later<Stamp>(highest, entry)
          return
        }
        unreadable.push([key, `the record stored here is ${kind}/${id}`])
      } else {
        unreadable.push([key, header.left.reason])
      }
    })
    // Keep an unreadable record's key known, so that reading it fails with CorruptRecord and
    // a new write of it repairs it. A key that names no record was not written by a store,
    // and opening fails on it.
    const quarantined: Array<QuarantinedRecord> = []
    for (const [key, reason] of unreadable) {
      const [kind, id] = yield* decodeRecordKey(key)
      quarantined.push({ kind, id, key, reason })
    }

    const index = new StoreIndex()
    index.load(entries, quarantined)
    return { digest, index, highest } satisfies LoadedState
  })

export const openStore = (
  backend: KeyValueBackend,
  options: StoreOptions
): Effect.Effect<OpenedStore, StoreError> =>
  Effect.gen(function*() {
    const wall = yield* Clock.currentTimeMillis
    const { digest, highest, index } = yield* loadState(backend, options.nodeId, wall + options.maxDriftMs)
    /**
     * The digest as `digest` hands it out, made again only once a watermark moves: gossip
     * reads it for every message it handles, and it holds an entry per origin. Frozen, since
     * every reader shares it.
     */
    let digestView: Digest | undefined
    const hlc = yield* makeHlc({
      nodeId: options.nodeId,
      maxDriftMs: options.maxDriftMs,
      ...(highest === undefined ? {} : { after: { wall: highest.wall, counter: highest.counter } })
    })
    const changes = yield* PubSub.unbounded<Change>()
    const listeners = new Set<(change: Change) => void>()
    interface ReadRecord {
      readonly record: StoredRecord
      readonly bytes: number
    }
    /**
     * Each record as decoded, under the index entry of its version: every gossip round, zone
     * refresh and status call reads records again, and most have not changed since. An entry
     * is made anew for every write, so a record is decoded once per version; held no longer
     * than its entry, the store's memory grows by its decoded records at most.
     */
    const decodedOf = new WeakMap<IndexEntry, ReadRecord>()
    /** `record` as read from `text` for `entry`, kept for the next read if it is that entry's version. */
    const remember = (entry: IndexEntry, record: StoredRecord, text: string): ReadRecord => {
      const read = { record, bytes: Buffer.byteLength(text) }
      if (compareStamps(record.version, entry) === 0) decodedOf.set(entry, read)
      return read
    }
    /**
     * What is known of `entries` already: each one's record as decoded before, while the entry is
     * still its key's current one, and the positions of those still to be read.
     */
    const decodedBefore = (entries: ReadonlyArray<IndexEntry>) => {
      const found = entries.map((entry): ReadRecord | undefined =>
        index.current(entry.kind, entry.id) === entry ? decodedOf.get(entry) : undefined
      )
      return { found, missing: found.flatMap((read, at) => (read === undefined ? [at] : [])) }
    }
    /** Keys whose stored value a reader could not decode, with the version it could not. */
    const undecodable = new Map<string, Stamp>()
    const lock = yield* Effect.makeSemaphore(1)
    let open = true

    const ensureOpen = (operation: string) =>
      Effect.suspend(() =>
        open ? Effect.void : Effect.fail(new StorageFailure({ operation, reason: "the store is closed" }))
      )

    /** One writer at a time; once it has started, a write finishes (disk and memory agree). */
    const exclusive = <A, E>(operation: string, body: Effect.Effect<A, E>) =>
      lock.withPermits(1)(Effect.zipRight(ensureOpen(operation), Effect.uninterruptible(body)))

    const digestOp = (version: Version): KeyValueOp => ({
      type: "put",
      key: digestKey(version.node),
      value: encodeDigestEntry(version)
    })

    const entryOf = (key: string, { deleted, id, kind, value, version }: StoredRecord) =>
      new IndexEntry(key, kind, id, version.wall, version.counter, version.node, deleted, rankOf(kind, value, deleted))

    const commit = (
      ops: ReadonlyArray<KeyValueOp>,
      entries: ReadonlyArray<IndexEntry>,
      watermarks: ReadonlyArray<Version>,
      applied: ReadonlyArray<Change>
    ) =>
      Effect.zipRight(
        backend.write(ops),
        Effect.suspend(() => {
          for (const entry of entries) {
            index.set(entry)
            undecodable.delete(entry.key)
          }
          for (const watermark of watermarks) digest.set(watermark.node, watermark)
          if (watermarks.length > 0) digestView = undefined
          for (const change of applied) for (const listener of listeners) listener(change)
          return PubSub.publishAll(changes, applied)
        })
      )

    /**
     * Whether `record` replaces what this store holds for its key (`staged`: earlier records of
     * the same delta): the higher rank wins, then the later version (recordRank.ts). An absent
     * key at or below our watermark for the record's origin means we held that write or a
     * newer one and collected its tombstone: taking it again would resurrect a deleted value.
     */
    const wins = (record: StoredRecord, key: string, staged?: Map<string, StoredRecord>): boolean => {
      const rank = rankOf(record.kind, record.value, record.deleted)
      const pending = staged?.get(key)
      if (pending !== undefined) return rankOrder(rank, record.version, rankOf(pending.kind, pending.value, pending.deleted), pending.version) > 0
      if (index.quarantined(key) !== undefined) return true
      const current = index.current(record.kind, record.id)
      if (current !== undefined) return rankOrder(rank, record.version, current.rank, current) > 0
      const watermark = digest.get(record.version.node)
      return watermark === undefined || supersedes(record.version, watermark)
    }

    /**
     * Writes stamped here, in order. A write outranked by what stands for its key (a space's
     * deletion, a newer leaf credential: recordRank.ts) is not taken, whatever its later
     * version, as a merge would not take it: taken here, it would stand on this node alone,
     * since peers holding the other under this node's watermark would neither send it here
     * nor take this one. Its place in the result holds the record that stands.
     */
    const batch = (ops: ReadonlyArray<BatchOp>) =>
      exclusive(
        "write",
        Effect.gen(function*() {
          const results: Array<StoredRecord> = []
          const written: Array<StoredRecord> = []
          const writes: Array<KeyValueOp> = []
          const staged = new Map<string, { readonly entry: IndexEntry; readonly record: StoredRecord }>()
          /** Positions in `results` of writes not taken, to fill with what stands once committed. */
          const outranked: Array<number> = []
          const versions = yield* hlc.nowMany(ops.length)
          for (let i = 0; i < ops.length; i++) {
            const op = ops[i]!
            const deleted = op._tag === "Delete"
            const record = makeStoredRecord(op.kind, op.id, deleted ? null : op.value, versions[i]!, deleted)
            const key = recordKey(op.kind, op.id)
            const entry = entryOf(key, record)
            const earlier = staged.get(key)
            const standing = earlier?.entry ?? (index.quarantined(key) === undefined ? index.current(op.kind, op.id) : undefined)
            if (standing !== undefined && standing.rank > entry.rank) {
              if (earlier === undefined) outranked.push(i)
              results.push(earlier?.record ?? record)
              continue
            }
            const text = encodeRecord(record)
            // Not `yield*` per record: a generator step per record costs more than encoding it.
            if (Either.isLeft(text)) return yield* text.left
            writes.push({ type: "put", key, value: text.right })
            staged.set(key, { entry, record })
            results.push(record)
            written.push(record)
          }
          const last = written[written.length - 1]
          if (last !== undefined) {
            writes.push(digestOp(last.version))
            const entries = [...staged.values()].map((write) => write.entry)
            yield* commit(writes, entries, [last.version], written.map((record) => ({ record, source: "local" })))
          }
          for (const at of outranked) results[at] = (yield* get(ops[at]!.kind, ops[at]!.id)) ?? results[at]!
          return results
        })
      )

    const single = (op: BatchOp) =>
      Effect.flatMap(batch([op]), (records) =>
        records[0] === undefined
          ? Effect.dieMessage("a batch of one write returned no record")
          : Effect.succeed(records[0]))

    const merge = (record: StoredRecord): Effect.Effect<MergeOutcome, StoreError> =>
      exclusive(
        "merge",
        Effect.gen(function*() {
          yield* hlc.receive(record.version)
          const key = recordKey(record.kind, record.id)
          if (!wins(record, key)) return "ignored" as const
          const value = yield* encodeRecord(record)
          yield* commit([{ type: "put", key, value }], [entryOf(key, record)], [], [{ record, source: "remote" }])
          return "applied" as const
        })
      )

    /** Whether a delta starting from `after` for `origin` joins what this store holds (`mine`): no gap below it. */
    const continues = (after: Digest | undefined, origin: string, mine: Version | undefined) => {
      if (after === undefined) return true
      const from = Object.hasOwn(after, origin) ? after[origin] : undefined
      return from === undefined || (mine !== undefined && !supersedes(from, mine))
    }

    const applyDelta = (delta: Delta) =>
      exclusive(
        "applyDelta",
        Effect.gen(function*() {
          let newest: Version | undefined
          for (const record of delta.records) newest = later(newest, record.version)
          // A watermark is a claim about a peer's clock as much as a record is: one far ahead
          // would make this store skip every later record of that origin, so it is refused
          // with the whole delta, before anything of it is absorbed.
          yield* hlc.admits(Object.values(delta.upTo))
          if (newest !== undefined) yield* hlc.receive(newest)

          const staged = new Map<string, StoredRecord>()
          for (const record of delta.records) {
            const key = recordKey(record.kind, record.id)
            if (wins(record, key, staged)) staged.set(key, record)
          }
          const raised: Array<Version> = []
          for (const [origin, watermark] of Object.entries(delta.upTo)) {
            // A watermark filed under another origin cannot come from a correct peer.
            if (watermark.node !== origin) continue
            const mine = digest.get(watermark.node)
            if (!continues(delta.after, origin, mine)) continue
            if (mine === undefined || supersedes(watermark, mine)) raised.push(watermark)
          }
          if (staged.size === 0 && raised.length === 0) return 0

          const writes: Array<KeyValueOp> = []
          const entries: Array<IndexEntry> = []
          const applied: Array<Change> = []
          for (const [key, record] of staged) {
            const text = encodeRecord(record)
            if (Either.isLeft(text)) return yield* text.left
            writes.push({ type: "put", key, value: text.right })
            entries.push(entryOf(key, record))
            applied.push({ record, source: "remote" })
          }
          for (const watermark of raised) writes.push(digestOp(watermark))
          yield* commit(writes, entries, raised, applied)
          return staged.size
        })
      )

    const forgetWatermarks = (which: (origin: NodeId) => boolean) =>
      exclusive(
        "forgetWatermarks",
        Effect.gen(function*() {
          const forgotten = [...digest.keys()].filter((origin) => origin !== options.nodeId && which(origin))
          if (forgotten.length === 0) return 0
          yield* backend.write(forgotten.map((origin) => ({ type: "del", key: digestKey(origin) })))
          for (const origin of forgotten) digest.delete(origin)
          digestView = undefined
          return forgotten.length
        })
      )

    const dropTombstones = (which: (origin: NodeId) => boolean) =>
      exclusive(
        "dropTombstones",
        Effect.gen(function*() {
          // Its own are deletes its peers may not hold yet: never dropped.
          return yield* removeEntries(
            index.tombstones().filter((entry) => entry.node !== options.nodeId && which(entry.node as NodeId))
          )
        })
      )

    const evict = (records: ReadonlyArray<StoredRecord>) =>
      exclusive(
        "evict",
        Effect.suspend(() => {
          const evicted: Array<IndexEntry> = []
          for (const record of records) {
            const entry = index.current(record.kind, record.id)
            if (entry !== undefined && entry.node !== options.nodeId && compareStamps(entry, record.version) === 0) {
              evicted.push(entry)
            }
          }
          return removeEntries(evicted)
        })
      )

    const expire = (kind: string, expired: (record: StoredRecord) => boolean) =>
      exclusive(
        "expire",
        Effect.gen(function*() {
          const gone: Array<IndexEntry> = []
          // Under the write lock: each record read is its key's current entry.
          for (const record of yield* readRecords(index.ofKind(kind))) {
            const entry = expired(record) ? index.current(record.kind, record.id) : undefined
            if (entry !== undefined) gone.push(entry)
          }
          return yield* removeEntries(gone)
        })
      )

    /**
     * Removes the records of `entries` without a trace (no tombstone), from the disk and then
     * from memory; the caller holds the write lock. Returns how many went.
     */
    const removeEntries = (entries: ReadonlyArray<IndexEntry>) =>
      entries.length === 0
        ? Effect.succeed(0)
        : Effect.map(backend.write(entries.map((entry) => ({ type: "del", key: entry.key }))), () => {
          for (const entry of entries) index.remove(entry)
          return entries.length
        })

    interface Section {
      readonly origin: NodeId
      readonly upTo: Version
      readonly entries: ReadonlyArray<IndexEntry>
    }

    /** Per origin where we are ahead of `theirs`: the records between their watermark and ours. */
    const plan = (theirs: Digest, only?: (origin: string) => boolean): Array<Section> => {
      const sections: Array<Section> = []
      // In origin order; only the few origins where we are ahead are sorted, not all of them:
      // gossip asks this of every digest it answers.
      for (const [origin, mine] of digest) {
        if (only !== undefined && !only(origin)) continue
        const their = Object.hasOwn(theirs, origin) ? theirs[origin] : undefined
        if (their !== undefined && !supersedes(mine, their)) continue
        sections.push({ origin, upTo: mine, entries: index.range(origin, their, mine) })
      }
      return sections.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0))
    }

    /** The records of `entries` as stored now, skipping those superseded or collected since. */
    const readEntries = (entries: ReadonlyArray<IndexEntry>) => {
      const { found, missing } = decodedBefore(entries)
      const texts = missing.length === 0 ? Effect.succeed([]) : backend.getMany(missing.map((at) => entries[at]!.key))
      return Effect.flatMap(texts, (texts) => {
        for (let i = 0; i < missing.length; i++) {
          const text = texts[i]
          if (text === undefined) continue
          const entry = entries[missing[i]!]!
          const decoded = decodeRecord(entry.key, text)
          if (Either.isLeft(decoded)) return Either.left(decoded.left)
          // Superseded or collected since the plan was made: not this entry's record.
          if (compareStamps(decoded.right.version, entry) !== 0) continue
          found[missing[i]!] = remember(entry, decoded.right, text)
        }
        return Either.right(found.filter((read) => read !== undefined))
      })
    }

    /** The part of `theirs` a delta with watermarks `upTo` starts from. */
    const startsFrom = (theirs: Digest, upTo: Digest): Digest => {
      const after: Record<string, Version> = {}
      for (const origin of Object.keys(upTo)) if (Object.hasOwn(theirs, origin)) after[origin] = theirs[origin]!
      return after
    }

    const since = (theirs: Digest, sinceOptions?: SinceOptions) =>
      Effect.gen(function*() {
        yield* ensureOpen("since")
        const budget = sinceOptions?.maxBytes ?? Number.POSITIVE_INFINITY
        const records: Array<StoredRecord> = []
        const upTo: Record<string, Version> = {}
        let bytes = 0
        for (const section of plan(theirs, sinceOptions?.only)) {
          let lastSent: Version | undefined
          for (let start = 0; start < section.entries.length; start += readChunk) {
            for (const read of yield* readEntries(section.entries.slice(start, start + readChunk))) {
              if (records.length > 0 && bytes + read.bytes > budget) {
                // Cut short: the receiver may only claim this origin up to what it was sent.
                if (lastSent !== undefined) upTo[section.origin] = lastSent
                return new Delta({ records, upTo, after: startsFrom(theirs, upTo) }, true)
              }
              records.push(read.record)
              bytes += read.bytes
              lastSent = read.record.version
            }
          }
          // Sent in full, possibly with no record at all (all superseded by other origins):
          // the receiver still needs the watermark, or it would ask for this range forever.
          upTo[section.origin] = section.upTo
        }
        return new Delta({ records, upTo, after: startsFrom(theirs, upTo) }, true)
      })

    const sinceStream = (theirs: Digest): Stream.Stream<StoredRecord, StoreError> =>
      Stream.unwrap(
        Effect.map(ensureOpen("since"), () => {
          const chunks: Array<ReadonlyArray<IndexEntry>> = []
          for (const section of plan(theirs)) {
            for (let start = 0; start < section.entries.length; start += readChunk) {
              chunks.push(section.entries.slice(start, start + readChunk))
            }
          }
          return Stream.fromIterable(chunks).pipe(
            Stream.mapEffect(readEntries),
            Stream.flatMap((read) => Stream.fromIterable(read.map((entry) => entry.record)))
          )
        })
      )

    /** `stamp`: the version the reader could not decode, so a newer write clears it. */
    const markUndecodable = (key: string, kind: string, id: string, stamp: Stamp, reason: string) =>
      Effect.suspend(() => {
        const known = undecodable.get(key)
        if (known !== undefined && compareStamps(known, stamp) === 0) return Effect.void
        const current = index.current(kind, id)
        // A newer write landed since the reader read it: that one is judged when it is read.
        if (current !== undefined && compareStamps(current, stamp) !== 0) return Effect.void
        undecodable.set(key, stamp)
        return Effect.logWarning(
          `kept out a stored record that does not decode: ${key} (written by ${stamp.node}): ${reason}`
        )
      })

    const quarantine = (record: StoredRecord, reason: string) =>
      markUndecodable(recordKey(record.kind, record.id), record.kind, record.id, record.version, reason)

    /** The records of `entries` as stored; one that does not decode is quarantined and left out. */
    const readRecords = (entries: ReadonlyArray<IndexEntry>) =>
      Effect.gen(function*() {
        const { found, missing } = decodedBefore(entries)
        for (let start = 0; start < missing.length; start += readChunk) {
          const chunk = missing.slice(start, start + readChunk)
          const texts = yield* backend.getMany(chunk.map((at) => entries[at]!.key))
          for (let i = 0; i < chunk.length; i++) {
            const text = texts[i]
            if (text === undefined) continue
            const entry = entries[chunk[i]!]!
            const decoded = decodeRecord(entry.key, text)
            if (Either.isRight(decoded)) found[chunk[i]!] = remember(entry, decoded.right, text)
            else yield* markUndecodable(entry.key, entry.kind, entry.id, entry, decoded.left.reason)
          }
        }
        return found.flatMap((read) => (read === undefined ? [] : [read.record]))
      })

    const get = (kind: string, id: string) =>
      Effect.gen(function*() {
        yield* ensureOpen("get")
        const key = recordKey(kind, id)
        const quarantined = index.quarantined(key)
        if (quarantined !== undefined) return yield* new CorruptRecord({ key, reason: quarantined.reason })
        const entry = index.current(kind, id)
        if (entry === undefined) return undefined
        const known = decodedOf.get(entry)
        if (known !== undefined) return known.record
        const texts = yield* backend.getMany([entry.key])
        const text = texts[0]
        return text === undefined ? undefined : remember(entry, yield* decodeRecord(entry.key, text), text).record
      })

    const list = (kind: string) =>
      Effect.gen(function*() {
        yield* ensureOpen("list")
        // Read from disk after the index snapshot: a record deleted meanwhile reads as a tombstone.
        const records = yield* readRecords(index.live(kind))
        return records.filter((record) => !record.deleted)
      })

    const collectGarbage = (peers: ReadonlyArray<Digest>, minAgeMs: number) =>
      exclusive(
        "collectGarbage",
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          // Our own watermark must cover it too, or anti-entropy would bring the tombstone back.
          const digests = [Object.fromEntries(digest), ...peers]
          return yield* removeEntries(index.tombstones().filter((entry) => isCollectible(entry, now, minAgeMs, digests)))
        })
      )

    const store: StoreShape = {
      nodeId: options.nodeId,
      get,
      put: (kind, id, value) => single({ _tag: "Put", kind, id, value }),
      delete: (kind, id) => single({ _tag: "Delete", kind, id }),
      list,
      batch,
      merge,
      applyDelta,
      forgetWatermarks,
      dropTombstones,
      evict,
      expire,
      digest: Effect.zipRight(ensureOpen("digest"), Effect.sync((): Digest => (digestView ??= Object.freeze(Object.fromEntries(digest))))),
      since,
      sinceStream,
      changes: Stream.fromPubSub(changes),
      subscribe: PubSub.subscribe(changes),
      listen: (listener) =>
        Effect.acquireRelease(
          // Its own entry: the same function listened to twice is called twice, and each scope
          // ends its own.
          Effect.sync(() => {
            const entry = (change: Change) => listener(change)
            listeners.add(entry)
            return entry
          }),
          (entry) => Effect.sync(() => void listeners.delete(entry))
        ),
      collectGarbage,
      clock: hlc.now,
      quarantine,
      quarantined: Effect.sync(() => index.quarantinedCount + undecodable.size),
      snapshot: exclusive(
        "snapshot",
        Effect.gen(function*() {
          const entries: Array<readonly [string, string]> = []
          const [meta] = yield* backend.getMany([metaKey])
          if (meta !== undefined) entries.push([metaKey, meta])
          for (const prefix of [digestPrefix, recordPrefix]) {
            yield* backend.scan(prefix, (key, value) => void entries.push([key, value]))
          }
          return entries
        })
      )
    }

    const close = Effect.zipRight(
      lock.withPermits(1)(Effect.sync(() => {
        open = false
      })),
      PubSub.shutdown(changes)
    )

    return { store, close }
  })
