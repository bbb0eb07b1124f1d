import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { KeyValueBackend } from "../../storage/keyValueBackend.ts"
import { MemoryDisk } from "../../storage/memoryStore.ts"
import { openStore } from "../../storage/storeEngine.ts"
import { describeRecord, nodeId } from "./storeFixtures.ts"

/** A store over a fresh memory disk whose backend counts the keys read from it. */
const countingStore = Effect.gen(function*() {
  const session = MemoryDisk.empty().attach(true)
  if (Either.isLeft(session)) return yield* Effect.dieMessage(session.left.message)
  const inner = session.right.backend
  const reads = { keys: 0 }
  const backend: KeyValueBackend = {
    ...inner,
    getMany: (keys) => {
      reads.keys += keys.length
      return inner.getMany(keys)
    }
  }
  const { store } = yield* openStore(backend, { nodeId: nodeId("a"), maxDriftMs: 1_000 })
  // Opening reads the store's own metadata: only record reads count.
  reads.keys = 0
  return { store, reads }
})

describe("Store reads of records it has decoded before", () => {
  it.effect("a record read again at the same version is not read from the backend again", () =>
    Effect.gen(function*() {
      const { reads, store } = yield* countingStore
      yield* store.put("space", "s", { size: 1 })
      yield* store.put("space", "t", { size: 2 })
      const first = yield* store.list("space")
      const readFirst = reads.keys
      const again = yield* store.list("space")
      const one = yield* store.get("space", "s")
      const delta = yield* store.since({})
      expect(readFirst).toBe(2)
      expect(reads.keys).toBe(readFirst)
      expect(again.map(describeRecord)).toEqual(first.map(describeRecord))
      expect(describeRecord(one)).toEqual(describeRecord(first[0]))
      expect(delta.records.map(describeRecord)).toEqual(first.map(describeRecord))
    }))

  it.effect("a record written again is read at its new version", () =>
    Effect.gen(function*() {
      const { reads, store } = yield* countingStore
      yield* store.put("space", "s", { size: 1 })
      yield* store.list("space")
      const written = yield* store.put("space", "s", { size: 2 })
      const listed = yield* store.list("space")
      const got = yield* store.get("space", "s")
      expect(listed.map(describeRecord)).toEqual([describeRecord(written)])
      expect(describeRecord(got)).toEqual(describeRecord(written))
      expect(reads.keys).toBe(2)
    }))

  it.effect("a deleted record is listed no more, and reads as its tombstone", () =>
    Effect.gen(function*() {
      const { store } = yield* countingStore
      yield* store.put("space", "s", { size: 1 })
      yield* store.list("space")
      yield* store.delete("space", "s")
      expect(yield* store.list("space")).toEqual([])
      expect((yield* store.get("space", "s"))?.deleted).toBe(true)
    }))
})
