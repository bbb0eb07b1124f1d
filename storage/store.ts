import type { Effect, Queue, Scope, Stream } from "effect"
import { Context } from "effect"
import type { Delta, Digest, NodeId, StoredRecord, Version } from "./record.ts"
import type { StoreError } from "./store.errors.ts"

export type MergeOutcome = "applied" | "ignored"

export interface Change {
  readonly record: StoredRecord
  /** "local" for put/delete on this node, "remote" for merge/applyDelta. */
  readonly source: "local" | "remote"
}

export interface SinceOptions {
  /**
   * Stop after this many encoded bytes of records (at least one record is always sent): the
   * records of a Delta add up to at most `maxBytes`, unless its single record is larger.
   */
  readonly maxBytes?: number
  /**
   * Compare only the origins this accepts; for every other origin the caller holds what this
   * store holds. Gossip asks for the buckets of origins whose summaries differ, and would
   * otherwise fill in a digest entry for every origin of the cluster to say "the same".
   */
  readonly only?: ((origin: string) => boolean) | undefined
}

export type BatchOp =
  | { readonly _tag: "Put"; readonly kind: string; readonly id: string; readonly value: unknown }
  | { readonly _tag: "Delete"; readonly kind: string; readonly id: string }

/**
 * A node's own database of replicated LWW records. Every layer (RocksDB, memory) gives the
 * same semantics; test/storage runs one suite against each.
 */
export interface StoreShape {
  readonly nodeId: NodeId
  /**
   * The record as stored, tombstones included (`deleted: true`), so that "deleted" and "never
   * written" can be told apart; undefined if never written or its tombstone was collected.
   */
  readonly get: (kind: string, id: string) => Effect.Effect<StoredRecord | undefined, StoreError>
  /** Stamps a new version from this node's HLC and makes it durable before succeeding. */
  readonly put: (kind: string, id: string, value: unknown) => Effect.Effect<StoredRecord, StoreError>
  /** Writes a tombstone. */
  readonly delete: (kind: string, id: string) => Effect.Effect<StoredRecord, StoreError>
  /** All live (non-deleted) records of a kind, ordered by id. */
  readonly list: (kind: string) => Effect.Effect<ReadonlyArray<StoredRecord>, StoreError>
  /** Atomic: all or none of the ops are durable. */
  readonly batch: (ops: ReadonlyArray<BatchOp>) => Effect.Effect<ReadonlyArray<StoredRecord>, StoreError>
  /** LWW: the remote record wins only if its version is higher. Never moves the digest. */
  readonly merge: (record: StoredRecord) => Effect.Effect<MergeOutcome, StoreError>
  /** Applies a Delta atomically: merges its records, then raises watermarks to `upTo`. */
  readonly applyDelta: (delta: Delta) => Effect.Effect<number, StoreError>
  /**
   * Drops the watermarks of the origins `which` accepts (never this store's own), so that
   * peers send their records again: for a leaf whose share of the cluster changed, since the
   * origin sent it nothing outside the old share. Records stay. Returns how many were dropped.
   */
  readonly forgetWatermarks: (which: (origin: NodeId) => boolean) => Effect.Effect<number, StoreError>
  /**
   * Drops the tombstones written by the origins `which` accepts (never this store's own:
   * deletes its peers may not hold yet), without a trace, as garbage collection does. For a
   * leaf whose share changed, which is sent its share anew, tombstones included: one the origin
   * sent in place of a record outside the old share must not shadow that record now. Returns
   * how many were dropped.
   */
  readonly dropTombstones: (which: (origin: NodeId) => boolean) => Effect.Effect<number, StoreError>
  /**
   * Removes these records without a trace, each only while the store holds it at the very
   * version given (a newer one is another decision's to make), and never one this store wrote.
   * For a leaf whose share shrank (a user it no longer serves): the origin will not send those
   * records again, nor their deletes, so they would sit on the laptop for good. Returns how
   * many were removed.
   */
  readonly evict: (records: ReadonlyArray<StoredRecord>) => Effect.Effect<number, StoreError>
  /**
   * Removes, without a trace, the records of `kind` (tombstones included, this store's own
   * included) that `expired` says time has made useless: those of a kind whose every version
   * is void past a date the record itself gives (an audit entry past retention, a session past
   * its end). No tombstone is left to keep: watermarks stay, so peers do not send them again,
   * and a copy a peer sends before its own sweep (a push not yet under a watermark) is void as
   * well, and goes at the next sweep. Returns how many went.
   */
  readonly expire: (kind: string, expired: (record: StoredRecord) => boolean) => Effect.Effect<number, StoreError>
  readonly digest: Effect.Effect<Digest, StoreError>
  /** What a store with digest `theirs` lacks, as a Delta bounded by `maxBytes`. */
  readonly since: (theirs: Digest, options?: SinceOptions) => Effect.Effect<Delta, StoreError>
  /** The same records as `since`, as a stream (no byte bound). */
  readonly sinceStream: (theirs: Digest) => Stream.Stream<StoredRecord, StoreError>
  /** Every applied change, local or remote, in the order applied (from when the stream starts). */
  readonly changes: Stream.Stream<Change>
  /**
   * Like `changes`, but subscribed when this effect completes, so no change applied after it
   * is missed (a stream subscribes only once it runs). Unsubscribes when the scope closes.
   */
  readonly subscribe: Effect.Effect<Queue.Dequeue<Change>, never, Scope.Scope>
  /**
   * Calls `listener` with every change from now on, in the order applied, as the write that
   * applies it commits; stops when the scope closes. For a follower that only hands a change
   * on (an actor's `unsafeTell`): no queue and no fiber of its own. It runs inside the write,
   * so it must be quick and must not throw.
   */
  readonly listen: (listener: (change: Change) => void) => Effect.Effect<void, never, Scope.Scope>
  /**
   * Drops tombstones older than `minAgeMs` whose version every digest in `peers` (and this
   * store's own) covers. Returns how many were dropped. The rule: storage/tombstoneGc.ts.
   */
  readonly collectGarbage: (peers: ReadonlyArray<Digest>, minAgeMs: number) => Effect.Effect<number, StoreError>
  /** A new HLC reading, after every version this store issued or merged (merges advance it). */
  readonly clock: Effect.Effect<Version>
  /**
   * Marks a stored record whose value its reader cannot decode: logged once per key and
   * version (with its key and origin), counted by `quarantined` until a newer write of the
   * key lands. Readers keep such records out of their lists and lookups.
   */
  readonly quarantine: (record: StoredRecord, reason: string) => Effect.Effect<void>
  /** How many records are kept out now: unreadable on disk, or marked by `quarantine`. */
  readonly quarantined: Effect.Effect<number>
  /**
   * Every stored key and value as one consistent state (writes wait while it is read): what a
   * backup holds and `restoreEntries` writes back.
   */
  readonly snapshot: Effect.Effect<ReadonlyArray<readonly [string, string]>, StoreError>
}

export class Store extends Context.Tag("knot/Store")<Store, StoreShape>() {}
