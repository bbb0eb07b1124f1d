import type { Effect, Stream } from "effect"
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
  /** Stop after this many encoded bytes of records (at least one record is always sent). */
  readonly maxBytes?: number
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
  readonly digest: Effect.Effect<Digest, StoreError>
  /** What a store with digest `theirs` lacks, as a Delta bounded by `maxBytes`. */
  readonly since: (theirs: Digest, options?: SinceOptions) => Effect.Effect<Delta, StoreError>
  /** The same records as `since`, as a stream (no byte bound). */
  readonly sinceStream: (theirs: Digest) => Stream.Stream<StoredRecord, StoreError>
  /** Every applied change, local or remote, in the order applied. */
  readonly changes: Stream.Stream<Change>
  /**
   * Drops tombstones older than `minAgeMs` whose version every digest in `peers` covers.
   * Returns how many were dropped.
   */
  readonly collectGarbage: (peers: ReadonlyArray<Digest>, minAgeMs: number) => Effect.Effect<number, StoreError>
  /** The current HLC reading (also advanced by merges). */
  readonly clock: Effect.Effect<Version>
}

export class Store extends Context.Tag("knot/Store")<Store, StoreShape>() {}
