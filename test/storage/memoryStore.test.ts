import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { MemoryDisk, MemoryStore } from "../../storage/memoryStore.ts"
import type { MemoryStoreHandle, MemoryStoreOptions } from "../../storage/memoryStore.ts"
import { storeContract } from "./store.contract.ts"
import { deltaOf, describeDigest, describeRecord, nodeId, remoteRecord, version } from "./storeFixtures.ts"

storeContract("MemoryStore", (options) => MemoryStore.layer(options), { propertyRuns: 40 })

describe("MemoryStore crashes", () => {
  const options = (disk: MemoryDisk, syncEveryWrite: boolean): MemoryStoreOptions => ({
    nodeId: nodeId("a"),
    maxDriftMs: 1_000,
    disk,
    syncEveryWrite
  })

  /** Opens the disk again, as a restarted node would, and runs `use` on it. */
  const reopen = <A, E>(disk: MemoryDisk, use: (handle: MemoryStoreHandle) => Effect.Effect<A, E>) =>
    Effect.scoped(Effect.flatMap(MemoryStore.make(options(disk, true)), use))

  it.scoped("with every write synced, a crash loses no acknowledged write", () =>
    Effect.gen(function*() {
      const disk = MemoryDisk.empty()
      const handle = yield* MemoryStore.make(options(disk, true))
      const written = yield* handle.store.put("space", "s", 1)
      yield* handle.store.delete("space", "t")
      const digest = describeDigest(yield* handle.store.digest)
      yield* handle.crash
      const after = yield* reopen(disk, ({ store }) =>
        Effect.all({ s: store.get("space", "s"), t: store.get("space", "t"), digest: store.digest }))
      expect(describeRecord(after.s)).toEqual(describeRecord(written))
      expect(after.t?.deleted).toBe(true)
      expect(describeDigest(after.digest)).toEqual(digest)
    }))

  it.scoped("without syncing every write, a crash loses exactly the writes since the last sync", () =>
    Effect.gen(function*() {
      const disk = MemoryDisk.empty()
      const handle = yield* MemoryStore.make(options(disk, false))
      const kept = yield* handle.store.put("space", "kept", 1)
      yield* handle.sync
      yield* handle.store.put("space", "lost", 2)
      yield* handle.store.put("space", "kept", 3)
      expect(disk.unsyncedBatches).toBe(2)
      yield* handle.crash
      const after = yield* reopen(disk, ({ store }) =>
        Effect.all({ kept: store.get("space", "kept"), lost: store.get("space", "lost"), digest: store.digest }))
      expect(describeRecord(after.kept)).toEqual(describeRecord(kept))
      expect(after.lost).toBeUndefined()
      expect(describeDigest(after.digest)).toEqual(describeDigest({ a: kept.version }))
    }))

  it.effect("a forgotten watermark stays forgotten after a restart", () =>
    Effect.gen(function*() {
      const disk = MemoryDisk.empty()
      yield* reopen(disk, ({ store }) =>
        Effect.zipRight(
          store.applyDelta(deltaOf([], { b: version(10, "b") })),
          store.forgetWatermarks(() => true)
        ))
      expect(yield* reopen(disk, ({ store }) => store.digest)).toEqual({})
    }))

  it.effect("a space's deletion stays final after a restart", () =>
    Effect.gen(function*() {
      const disk = MemoryDisk.empty()
      yield* reopen(disk, ({ store }) => store.merge(remoteRecord("space", "s", { desired: "deleted" }, version(10, "b"))))
      const late = remoteRecord("space", "s", { desired: "stopped" }, version(20, "c"))
      expect(yield* reopen(disk, ({ store }) => store.merge(late))).toBe("ignored")
    }))

  it.effect("a leaf record keeps its credential's rank after a restart", () =>
    Effect.gen(function*() {
      const disk = MemoryDisk.empty()
      yield* reopen(disk, ({ store }) => store.merge(remoteRecord("leaf", "l", { createdAt: 200 }, version(10, "b"))))
      const older = remoteRecord("leaf", "l", { createdAt: 100 }, version(20, "c"))
      expect(yield* reopen(disk, ({ store }) => store.merge(older))).toBe("ignored")
    }))

  it.effect("a graceful close makes unsynced writes durable", () =>
    Effect.gen(function*() {
      const disk = MemoryDisk.empty()
      yield* Effect.scoped(Effect.flatMap(MemoryStore.make(options(disk, false)), ({ store }) => store.put("space", "s", 1)))
      const after = yield* reopen(disk, ({ store }) => store.get("space", "s"))
      expect(after?.value).toBe(1)
    }))

  it.scoped("a crashed store fails every later call with StorageFailure", () =>
    Effect.gen(function*() {
      const handle = yield* MemoryStore.make(options(MemoryDisk.empty(), true))
      yield* handle.crash
      const failures = yield* Effect.all([
        Effect.flip(handle.store.put("space", "s", 1)),
        Effect.flip(handle.store.get("space", "s")),
        Effect.flip(handle.store.since({}))
      ])
      expect(failures.map((error) => error._tag)).toEqual(["StorageFailure", "StorageFailure", "StorageFailure"])
    }))

  it.effect("a disk is open in one store at a time", () =>
    Effect.gen(function*() {
      const disk = MemoryDisk.empty()
      const scope = yield* Scope.make()
      yield* Scope.extend(MemoryStore.make(options(disk, true)), scope)
      const error = yield* Effect.flip(reopen(disk, ({ store }) => store.digest))
      expect(error._tag).toBe("StorageFailure")
      expect(disk.inUse).toBe(true)
      yield* Scope.close(scope, Exit.void)
      expect(disk.inUse).toBe(false)
    }))

  it.scoped("a restarted store's clock continues past the writes that survived", () =>
    Effect.gen(function*() {
      const disk = MemoryDisk.empty()
      const handle = yield* MemoryStore.make(options(disk, true))
      const before = yield* handle.store.put("space", "s", 1)
      yield* handle.crash
      const after = yield* reopen(disk, ({ store }) => store.put("space", "s", 2))
      expect(after.version.wall).toBe(before.version.wall)
      expect(after.version.counter).toBeGreaterThan(before.version.counter)
    }))
})
