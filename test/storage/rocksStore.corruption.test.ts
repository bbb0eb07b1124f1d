import { RocksLevel } from "@nxtedition/rocksdb"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { RocksStore } from "../../storage/rocksStore.ts"
import type { StoreShape } from "../../storage/store.ts"
import { digestKey, recordKey } from "../../storage/storeLayout.ts"
import { rocksDirectories } from "./rocksDirectories.ts"
import { nodeId } from "./storeFixtures.ts"

const directories = rocksDirectories("rocks-corruption")

const withStore = <A, E>(directory: string, use: (store: StoreShape) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(RocksStore.make({ directory, nodeId: nodeId("a"), maxDriftMs: 1_000 }), use))

/** Writes raw bytes under `key`, behind the store's back. */
const overwrite = (directory: string, key: string, value: string) =>
  Effect.promise(async () => {
    const db = new RocksLevel(directory)
    await db.open({ createIfMissing: false })
    await db.batch([{ type: "put", key, value }], { sync: true })
    await db.close()
  })

/** A store with records space/good and space/bad, where space/bad's stored text is replaced. */
const storeWithBadRecord = (text: string) =>
  Effect.gen(function*() {
    const directory = directories.fresh()
    yield* withStore(directory, (store) =>
      Effect.zipRight(store.put("space", "good", { ok: true }), store.put("space", "bad", { ok: true })))
    yield* overwrite(directory, recordKey("space", "bad"), text)
    return directory
  })

describe.concurrent("RocksStore with undecodable data on disk", () => {
  it.effect("a record that is not a record at all reads as CorruptRecord naming its key", () =>
    Effect.gen(function*() {
      const directory = yield* storeWithBadRecord("\u0000\u0001 not a record")
      const error = yield* withStore(directory, (store) => Effect.flip(store.get("space", "bad")))
      expect(error._tag).toBe("CorruptRecord")
      expect(error._tag === "CorruptRecord" && error.key).toBe(recordKey("space", "bad"))
      expect(error.message).toContain(JSON.stringify(recordKey("space", "bad")))
    }))

  it.effect("a record whose value is not JSON reads as CorruptRecord naming its key", () =>
    Effect.gen(function*() {
      const directory = yield* storeWithBadRecord("[\"space\",\"bad\",5,0,\"a\",false]\n{\"ok\":")
      const error = yield* withStore(directory, (store) => Effect.flip(store.get("space", "bad")))
      expect(error._tag === "CorruptRecord" && error.key).toBe(recordKey("space", "bad"))
    }))

  it.effect("the store still opens and serves the other records", () =>
    Effect.gen(function*() {
      const directory = yield* storeWithBadRecord("garbage")
      const good = yield* withStore(directory, (store) => store.get("space", "good"))
      expect(good?.value).toEqual({ ok: true })
    }))

  it.effect("listing a kind that holds a corrupt record lists the others and counts it quarantined", () =>
    Effect.gen(function*() {
      const directory = yield* storeWithBadRecord("garbage")
      const [listed, quarantined] = yield* withStore(directory, (store) => Effect.all([store.list("space"), store.quarantined]))
      expect(listed.map((record) => record.id)).toEqual(["good"])
      expect(quarantined).toBe(1)
    }))

  it.effect("a record whose value is not JSON is left out of its kind's list and counted once", () =>
    Effect.gen(function*() {
      const directory = yield* storeWithBadRecord("[\"space\",\"bad\",5,0,\"a\",false]\n{\"ok\":")
      const [listed, quarantined] = yield* withStore(directory, (store) =>
        Effect.zipRight(store.list("space"), Effect.all([store.list("space"), store.quarantined])))
      expect(listed.map((record) => record.id)).toEqual(["good"])
      expect(quarantined).toBe(1)
    }))

  it.effect("a new write of a corrupt record repairs it", () =>
    Effect.gen(function*() {
      const directory = yield* storeWithBadRecord("garbage")
      const repaired = yield* withStore(directory, (store) =>
        Effect.zipRight(store.put("space", "bad", { ok: "again" }), store.get("space", "bad")))
      expect(repaired?.value).toEqual({ ok: "again" })
    }))

  it.effect("an undecodable watermark refuses to open with CorruptRecord naming its key", () =>
    Effect.gen(function*() {
      const directory = directories.fresh()
      yield* withStore(directory, (store) => store.put("space", "s", 1))
      yield* overwrite(directory, digestKey("a"), "{\"wall\":\"soon\"}")
      const error = yield* Effect.flip(withStore(directory, (store) => store.digest))
      expect(error._tag === "CorruptRecord" && error.key).toBe(digestKey("a"))
    }))
})
