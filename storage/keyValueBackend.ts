/**
 * What a Store needs from the medium below it: an ordered key-value space of utf8 strings
 * with atomic, durable batches. storage/storeLayout.ts decides what goes in it and
 * storage/storeEngine.ts gives it the Store semantics; RocksDB and memory implement this.
 */
import type { Effect } from "effect"
import type { StorageFailure } from "./store.errors.ts"

export type KeyValueOp =
  | { readonly type: "put"; readonly key: string; readonly value: string }
  | { readonly type: "del"; readonly key: string }

export interface KeyValueBackend {
  /**
   * Calls `visit` with every entry whose key starts with `prefix`, in key order. A store
   * scans once, when it opens; visiting in place (no array of every entry) keeps that fast.
   */
  readonly scan: (prefix: string, visit: (key: string, value: string) => void) => Effect.Effect<void, StorageFailure>
  /** The values of `keys`, in the same order; undefined where a key is absent. */
  readonly getMany: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string | undefined>, StorageFailure>
  /**
   * All or none of `ops`; succeeds only once they survive a crash of the process or machine
   * (the memory backend can be told to acknowledge earlier, to model lost writes).
   */
  readonly write: (ops: ReadonlyArray<KeyValueOp>) => Effect.Effect<void, StorageFailure>
}
