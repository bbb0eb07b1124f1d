import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { RocksStore } from "../../storage/rocksStore.ts"
import type { StoreShape } from "../../storage/store.ts"
import { rocksDirectories } from "./rocksDirectories.ts"
import { storeContract } from "./store.contract.ts"
import { deltaOf, describeDigest, describeRecord, nodeId, remoteRecord, version } from "./storeFixtures.ts"

const directories = rocksDirectories("rocks-store")

storeContract(
  "RocksStore",
  (options) => RocksStore.layer({ ...options, directory: directories.fresh(options.nodeId) }),
  { propertyRuns: 8 }
)

describe.concurrent("RocksStore on disk", () => {
  const openAt = (directory: string, node = "a") =>
    RocksStore.make({ directory, nodeId: nodeId(node), maxDriftMs: 60_000 })

  /** Opens, runs `use`, closes. */
  const session = <A, E>(directory: string, use: (store: StoreShape) => Effect.Effect<A, E>, node = "a") =>
    Effect.scoped(Effect.flatMap(openAt(directory, node), use))

  it.effect("reopening a directory gives back the records, tombstones and digest", () =>
    Effect.gen(function*() {
      const directory = directories.fresh()
      const before = yield* session(directory, (store) =>
        Effect.gen(function*() {
          yield* store.put("space", "kept", { n: 1 })
          yield* store.put("space", "gone", { n: 2 })
          yield* store.delete("space", "gone")
          const zone = remoteRecord("zone", "eu", { name: "eu" }, version(10, "b"))
          yield* store.applyDelta(deltaOf([zone], { b: zone.version }))
          return {
            kept: describeRecord(yield* store.get("space", "kept")),
            gone: describeRecord(yield* store.get("space", "gone")),
            digest: describeDigest(yield* store.digest),
            since: (yield* store.since({})).records.map(describeRecord)
          }
        }))
      const after = yield* session(directory, (store) =>
        Effect.gen(function*() {
          return {
            kept: describeRecord(yield* store.get("space", "kept")),
            gone: describeRecord(yield* store.get("space", "gone")),
            digest: describeDigest(yield* store.digest),
            since: (yield* store.since({})).records.map(describeRecord)
          }
        }))
      expect(after).toEqual(before)
    }))

  it.effect("after reopening, new writes get versions above every stored one", () =>
    Effect.gen(function*() {
      const directory = directories.fresh()
      const ahead = version(50_000, "b", 3)
      yield* session(directory, (store) => store.merge(remoteRecord("space", "s", 1, ahead)))
      const written = yield* session(directory, (store) => store.put("space", "t", 2))
      expect(written.version.wall).toBe(50_000)
      expect(written.version.counter).toBeGreaterThan(3)
    }))

  it.effect("a directory written by another node is refused", () =>
    Effect.gen(function*() {
      const directory = directories.fresh()
      yield* session(directory, (store) => store.put("space", "s", 1))
      const error = yield* Effect.flip(session(directory, (store) => store.digest, "b"))
      expect(error._tag).toBe("StorageFailure")
      expect(error.message).toContain("belongs to node a")
    }))

  it.effect("a directory open in one store cannot be opened by a second", () =>
    Effect.gen(function*() {
      const directory = directories.fresh()
      const scope = yield* Scope.make()
      yield* Scope.extend(openAt(directory), scope)
      const error = yield* Effect.flip(session(directory, (store) => store.digest))
      yield* Scope.close(scope, Exit.void)
      expect(error._tag).toBe("StorageFailure")
      expect(error.message).toContain(directory)
    }))
})
