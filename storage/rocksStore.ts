/**
 * The Store on disk: RocksDB through @nxtedition/rocksdb, one directory per node.
 *
 * Key layout (storage/storeLayout.ts), utf8 keys and values in the default column family:
 *
 *   "m"                          {"format":1,"node":"<node id>"}  refuses another node's directory
 *   "d" + origin                 Version JSON: the digest watermark of that origin
 *   "r" + JSON [kind, id]        header JSON [kind, id, wall, counter, node, deleted] "\n" value JSON
 *
 * Durability. Every write of the store (put, delete, batch, merge, applyDelta, garbage
 * collection) is exactly one RocksDB WriteBatch written with `sync: true`: RocksDB appends
 * it to its write-ahead log and fsyncs the log before the call returns, so a write is
 * acknowledged only once it survives a crash of the process or the machine, and a batch
 * (records together with the watermarks they justify) is there whole or not at all.
 * The binding writes batches synchronously on the JS thread, so a write blocks the event
 * loop for the fsync: batch writes rather than awaiting many small ones.
 *
 * Reads. Opening scans the "d" and "r" ranges once to rebuild the in-memory index (versions,
 * tombstones, per-origin order) and the digest; after that, merges and `since` decide from
 * memory and read values with MultiGet in chunks (one awaited read costs ~50 µs, a
 * MultiGet ~2.5 µs per key). Memtables are kept small so that reopening replays little log.
 */
import { RocksLevel } from "@nxtedition/rocksdb"
import type { Scope } from "effect"
import { Effect, Layer } from "effect"
import type { KeyValueBackend } from "./keyValueBackend.ts"
import type { StoreShape } from "./store.ts"
import { Store } from "./store.ts"
import type { StoreError } from "./store.errors.ts"
import { StorageFailure } from "./store.errors.ts"
import type { StoreOptions } from "./storeEngine.ts"
import { openStore } from "./storeEngine.ts"

export interface RocksStoreOptions extends StoreOptions {
  /** This node's database directory (created if missing). */
  readonly directory: string
}

/** Keys per iterator step when scanning at open. */
const scanStep = 1000

/** Memtables total; RocksDB's default (64 MB each) would replay up to that much log on open. */
const memtableBudgetBytes = 16 * 1024 * 1024

const failure = (operation: string) => (error: unknown) =>
  new StorageFailure({ operation, reason: error instanceof Error ? error.message : String(error) })

/** The first string after every string that starts with `prefix`. */
const prefixEnd = (prefix: string) => prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)

const rocksBackend = (db: RocksLevel): KeyValueBackend => ({
  scan: (prefix, visit) =>
    Effect.tryPromise({
      try: async () => {
        const iterator = db.iterator({ gte: prefix, lt: prefixEnd(prefix), keyEncoding: "utf8", valueEncoding: "utf8" })
        try {
          for (let rows = await iterator.nextv(scanStep); rows.length > 0; rows = await iterator.nextv(scanStep)) {
            for (const [key, value] of rows) visit(key, value)
          }
        } finally {
          await iterator.close()
        }
      },
      catch: failure("scan")
    }),
  getMany: (keys) =>
    keys.length === 0
      ? Effect.succeed([])
      : Effect.tryPromise({ try: () => db.getMany(keys, { valueEncoding: "utf8" }), catch: failure("read") }),
  write: (ops) =>
    ops.length === 0
      ? Effect.void
      : Effect.tryPromise({ try: () => db.batch(ops, { sync: true }), catch: failure("write") })
})

const openDatabase = (directory: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const db = new RocksLevel(directory)
        await db.open({ createIfMissing: true, compaction: "level", memtableMemoryBudget: memtableBudgetBytes })
        return db
      },
      catch: (error) => failure("open")(`${directory}: ${error instanceof Error ? error.message : String(error)}`)
    }),
    (db) =>
      Effect.tryPromise(() => db.close()).pipe(
        Effect.catchAll((error) => Effect.logWarning(`closing the database in ${directory} failed`, error.cause))
      )
  )

/** Opens the store in `options.directory`; closing the scope closes the database. */
const make = (options: RocksStoreOptions): Effect.Effect<StoreShape, StoreError, Scope.Scope> =>
  Effect.gen(function*() {
    const db = yield* openDatabase(options.directory)
    const opened = yield* Effect.acquireRelease(openStore(rocksBackend(db), options), (opened) => opened.close)
    return opened.store
  })

const layer = (options: RocksStoreOptions): Layer.Layer<Store, StoreError> => Layer.scoped(Store, make(options))

/** Entries per batch when restoring: large batches amortize the sync, small ones bound memory. */
const restoreBatch = 1000

/**
 * Writes a snapshot (StoreShape.snapshot) into a new database in `directory`, which must hold
 * none yet: restoring over a store would mix two histories.
 */
const restoreEntries = (
  directory: string,
  entries: ReadonlyArray<readonly [string, string]>
): Effect.Effect<void, StoreError> =>
  Effect.scoped(
    Effect.gen(function*() {
      const db = yield* openDatabase(directory)
      const backend = rocksBackend(db)
      let existing = 0
      yield* backend.scan("m", () => void existing++)
      yield* backend.scan("r", () => void existing++)
      if (existing > 0) {
        return yield* new StorageFailure({ operation: "restore", reason: `${directory} already holds a store; restore into an empty directory` })
      }
      for (let start = 0; start < entries.length; start += restoreBatch) {
        yield* backend.write(entries.slice(start, start + restoreBatch).map(([key, value]) => ({ type: "put" as const, key, value })))
      }
    })
  )

export const RocksStore = { make, layer, restoreEntries } as const
