/**
 * Helpers shared by the storage tests: building records, opening stores from a layer
 * factory, snapshotting what a store holds, and running anti-entropy between two stores.
 */
import { Context, Effect, Layer } from "effect"
import type { Scope } from "effect"
import { Delta, type Digest, NodeId, StoredRecord, Version } from "../../storage/record.ts"
import type { StoreShape } from "../../storage/store.ts"
import { Store } from "../../storage/store.ts"
import type { StoreError } from "../../storage/store.errors.ts"
import type { StoreOptions } from "../../storage/storeEngine.ts"

/** Makes a fresh, empty store for each call. */
export type StoreLayerFactory = (options: StoreOptions) => Layer.Layer<Store, StoreError>

export const nodeId = (name: string) => NodeId.make(name)

export const version = (wall: number, node: string, counter = 0) => new Version({ wall, counter, node: nodeId(node) })

export const remoteRecord = (
  kind: string,
  id: string,
  value: unknown,
  at: Version,
  deleted = false
) => new StoredRecord({ kind, id, value: deleted ? null : value, version: at, deleted })

export const deltaOf = (records: ReadonlyArray<StoredRecord>, upTo: Digest) => new Delta({ records, upTo })

export const openStore = (
  factory: StoreLayerFactory,
  name: string,
  maxDriftMs = 60_000
): Effect.Effect<StoreShape, StoreError, Scope.Scope> =>
  Effect.map(Layer.build(factory({ nodeId: nodeId(name), maxDriftMs })), Context.get(Store))

/** A comparable picture of one record (versions as plain tuples). */
export const describeRecord = (record: StoredRecord | undefined) =>
  record === undefined
    ? undefined
    : {
      kind: record.kind,
      id: record.id,
      value: record.value,
      version: [record.version.wall, record.version.counter, record.version.node],
      deleted: record.deleted
    }

export const describeDigest = (digest: Digest) =>
  Object.fromEntries(
    Object.entries(digest)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([origin, at]) => [origin, [at.wall, at.counter, at.node]])
  )

/** Everything a store holds under `keys` (tombstones included), its live lists and its digest. */
export const snapshot = (
  store: StoreShape,
  keys: ReadonlyArray<readonly [string, string]>,
  kinds: ReadonlyArray<string>
) =>
  Effect.all({
    records: Effect.forEach(keys, ([kind, id]) => Effect.map(store.get(kind, id), describeRecord)),
    lists: Effect.forEach(kinds, (kind) => Effect.map(store.list(kind), (records) => records.map(describeRecord))),
    digest: Effect.map(store.digest, describeDigest)
  })

/** One push-pull step: `from` sends `to` what `to`'s digest says it lacks. Returns the delta. */
export const push = (from: StoreShape, to: StoreShape, maxBytes?: number) =>
  Effect.gen(function*() {
    const delta = yield* from.since(yield* to.digest, maxBytes === undefined ? undefined : { maxBytes })
    yield* to.applyDelta(delta)
    return delta
  })

/** Anti-entropy in both directions until neither side has anything to send. Returns the rounds taken. */
export const exchangeUntilQuiet = (a: StoreShape, b: StoreShape, maxBytes?: number) =>
  Effect.gen(function*() {
    for (let round = 1; round <= 10_000; round++) {
      const there = yield* push(a, b, maxBytes)
      const back = yield* push(b, a, maxBytes)
      const quiet = [there, back].every((delta) => delta.records.length === 0 && Object.keys(delta.upTo).length === 0)
      if (quiet) return round
    }
    return yield* Effect.dieMessage("anti-entropy did not settle in 10 000 rounds")
  })
