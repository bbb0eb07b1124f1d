/**
 * The Store for the simulator and tests: the same engine, layout and codecs as RocksStore,
 * over a `MemoryDisk` instead of RocksDB. A process may hold many (one per simulated node).
 *
 * Durability model. A MemoryDisk keeps what is durable; a running store reads and writes
 * through to it. With `syncEveryWrite: true` (the default, as RocksStore) a write is
 * durable before it is acknowledged, and an atomic batch is durable whole or not at all.
 * With `syncEveryWrite: false` a write is acknowledged at once and becomes durable at the
 * next `sync` (or a graceful close): the model of a disk that loses its cache.
 *
 * What `crash` loses: every write not yet durable, i.e. nothing acknowledged under
 * `syncEveryWrite: true`, everything since the last `sync` under `false`. A write whose batch
 * had reached the disk is kept even if its caller never saw the acknowledgement (the crash
 * fell between the two) — as on a real disk. The crashed store fails every later call;
 * `MemoryStore.make({ disk })` opens the disk again, like a restarted node.
 */
import type { Scope } from "effect"
import { Effect, Either, Layer } from "effect"
import type { KeyValueBackend, KeyValueOp } from "./keyValueBackend.ts"
import type { StoreShape } from "./store.ts"
import { Store } from "./store.ts"
import type { StoreError } from "./store.errors.ts"
import { StorageFailure } from "./store.errors.ts"
import type { StoreOptions } from "./storeEngine.ts"
import { openStore } from "./storeEngine.ts"

/** One open store's access to a MemoryDisk. */
interface DiskSession {
  readonly backend: KeyValueBackend
  readonly sync: () => void
  readonly crash: () => void
  readonly close: () => void
}

const apply = (map: Map<string, string>, ops: ReadonlyArray<KeyValueOp>) => {
  for (const op of ops) {
    if (op.type === "put") map.set(op.key, op.value)
    else map.delete(op.key)
  }
}

/** What survives a crash of a MemoryStore; hand it to `MemoryStore.make` to reopen. */
export class MemoryDisk {
  private readonly durable = new Map<string, string>()
  private pending: Array<ReadonlyArray<KeyValueOp>> = []
  private session: DiskSession | undefined

  static empty(): MemoryDisk {
    return new MemoryDisk()
  }

  /** Whether a store has this disk open. */
  get inUse(): boolean {
    return this.session !== undefined
  }

  /** Acknowledged batches not yet durable (only with `syncEveryWrite: false`). */
  get unsyncedBatches(): number {
    return this.pending.length
  }

  /** Used by MemoryStore.make: one store at a time, like a RocksDB directory lock. */
  attach(syncEveryWrite: boolean): Either.Either<DiskSession, StorageFailure> {
    if (this.session !== undefined) {
      return Either.left(
        new StorageFailure({ operation: "open", reason: "this disk is open in another store; close or crash it first" })
      )
    }
    // Nothing is pending when a disk is attached (crash drops it, close syncs it), so with
    // every write synced the running view is the durable map itself.
    const live = syncEveryWrite ? this.durable : new Map(this.durable)
    const isCurrent = () => this.session === session
    const stopped = (operation: string) => new StorageFailure({ operation, reason: "the store has crashed or closed" })

    const backend: KeyValueBackend = {
      scan: (prefix, visit) =>
        Effect.suspend(() => {
          if (!isCurrent()) return Effect.fail(stopped("scan"))
          const keys: Array<string> = []
          for (const key of live.keys()) {
            if (key.startsWith(prefix)) keys.push(key)
          }
          for (const key of keys.sort()) visit(key, live.get(key)!)
          return Effect.void
        }),
      getMany: (keys) =>
        Effect.suspend(() =>
          isCurrent() ? Effect.succeed(keys.map((key) => live.get(key))) : Effect.fail(stopped("read"))
        ),
      write: (ops) =>
        Effect.suspend(() => {
          if (!isCurrent()) return Effect.fail(stopped("write"))
          apply(live, ops)
          if (!syncEveryWrite) this.pending.push(ops)
          return Effect.void
        })
    }

    const sync = () => {
      if (!isCurrent()) return
      for (const ops of this.pending) apply(this.durable, ops)
      this.pending = []
    }

    const session: DiskSession = {
      backend,
      sync,
      crash: () => {
        if (!isCurrent()) return
        this.pending = []
        this.session = undefined
      },
      close: () => {
        sync()
        if (isCurrent()) this.session = undefined
      }
    }
    this.session = session
    return Either.right(session)
  }
}

export interface MemoryStoreOptions extends StoreOptions {
  /** The disk to open (a crashed store's, to restart it); a new empty one when absent. */
  readonly disk?: MemoryDisk
  /** Default true: acknowledge a write only once durable. See the header of this file. */
  readonly syncEveryWrite?: boolean
}

export interface MemoryStoreHandle {
  readonly store: StoreShape
  readonly disk: MemoryDisk
  /** Makes every acknowledged write durable. */
  readonly sync: Effect.Effect<void>
  /** Power loss: loses what is not durable and stops this store (see the header of this file). */
  readonly crash: Effect.Effect<void>
}

/** Opens a store on `options.disk`; closing the scope syncs and closes it gracefully. */
const make = (options: MemoryStoreOptions): Effect.Effect<MemoryStoreHandle, StoreError, Scope.Scope> =>
  Effect.gen(function*() {
    const disk = options.disk ?? MemoryDisk.empty()
    const session = yield* Effect.acquireRelease(
      disk.attach(options.syncEveryWrite ?? true),
      (session) => Effect.sync(session.close)
    )
    const opened = yield* Effect.acquireRelease(openStore(session.backend, options), (opened) => opened.close)
    return {
      store: opened.store,
      disk,
      sync: Effect.sync(session.sync),
      crash: Effect.zipRight(Effect.sync(session.crash), opened.close)
    }
  })

const layer = (options: MemoryStoreOptions): Layer.Layer<Store, StoreError> =>
  Layer.scoped(Store, Effect.map(make(options), (handle) => handle.store))

export const MemoryStore = { make, layer } as const
