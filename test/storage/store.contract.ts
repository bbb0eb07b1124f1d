/**
 * The behaviour every Store layer must have. memoryStore.test.ts and rocksStore.test.ts run
 * this same suite, each with a factory that makes a fresh store of its kind. Only the number
 * of property-test runs differs: each run opens fresh stores, which costs a RocksDB store a
 * directory and fsyncs.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Context, Effect, Exit, Fiber, Layer, Queue, Scope, Stream, TestClock } from "effect"
import fc from "fast-check"
import { Delta, StoredRecord, versionOrder } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import type { StoreShape } from "../../storage/store.ts"
import {
  deltaOf,
  describeDigest,
  describeRecord,
  exchangeUntilQuiet,
  nodeId,
  openStore,
  push,
  remoteRecord,
  snapshot,
  type StoreLayerFactory,
  version
} from "./storeFixtures.ts"

const hour = 3_600_000

export interface ContractOptions {
  /** Runs per property test. */
  readonly propertyRuns: number
}

export const storeContract = (name: string, factory: StoreLayerFactory, options: ContractOptions) =>
  describe.concurrent(`${name} (Store contract)`, () => {
    const open = (node: string, maxDriftMs?: number) => openStore(factory, node, maxDriftMs)

    describe("local writes", () => {
      it.scoped("put then get returns the value, versioned by this node", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const written = yield* store.put("template", "go", { image: "golang:1.23" })
          const read = yield* store.get("template", "go")
          expect(describeRecord(read)).toEqual(describeRecord(written))
          expect(read?.value).toEqual({ image: "golang:1.23" })
          expect(read?.version.node).toBe("a")
          expect(read?.deleted).toBe(false)
        }))

      it.scoped("get of a record never written is undefined", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          expect(yield* store.get("template", "nothing")).toBeUndefined()
        }))

      it.scoped("each write gets a higher version than the one before, even at the same instant", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const first = yield* store.put("space", "x", 1)
          const second = yield* store.put("space", "y", 2)
          const third = yield* store.put("space", "x", 3)
          expect(second.version.wall).toBe(first.version.wall)
          expect(second.version.counter).toBeGreaterThan(first.version.counter)
          expect(third.version.counter).toBeGreaterThan(second.version.counter)
          expect((yield* store.get("space", "x"))?.value).toBe(3)
        }))

      it.scoped("delete leaves a tombstone that get returns and list leaves out", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.put("user", "ann", { name: "Ann", role: "admin" })
          const tombstone = yield* store.delete("user", "ann")
          expect(tombstone.deleted).toBe(true)
          expect((yield* store.get("user", "ann"))?.deleted).toBe(true)
          expect(yield* store.list("user")).toEqual([])
        }))

      it.scoped("list returns the live records of one kind ordered by id", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.put("zone", "us-west", { name: "us-west" })
          yield* store.put("zone", "eu", { name: "eu" })
          yield* store.put("zone", "us-east", { name: "us-east" })
          yield* store.put("user", "ann", { name: "Ann", role: "user" })
          yield* store.delete("zone", "us-west")
          const zones = yield* store.list("zone")
          expect(zones.map((record) => record.id)).toEqual(["eu", "us-east"])
        }))

      it.scoped("batch writes every operation, later operations with higher versions", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const written = yield* store.batch([
            { _tag: "Put", kind: "space", id: "s1", value: { n: 1 } },
            { _tag: "Put", kind: "space", id: "s2", value: { n: 2 } },
            { _tag: "Delete", kind: "space", id: "s1" }
          ])
          expect(written.map((record) => [record.id, record.deleted])).toEqual([["s1", false], ["s2", false], ["s1", true]])
          expect(written[1]!.version.counter).toBeGreaterThan(written[0]!.version.counter)
          expect((yield* store.list("space")).map((record) => record.id)).toEqual(["s2"])
        }))

      it.scoped("a batch with a value that has no JSON form fails and writes none of its operations", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const error = yield* Effect.flip(store.batch([
            { _tag: "Put", kind: "space", id: "fine", value: { n: 1 } },
            { _tag: "Put", kind: "space", id: "broken", value: { n: 10n } }
          ]))
          expect(error._tag).toBe("StorageFailure")
          expect(error.message).toContain("space/broken")
          expect(yield* store.get("space", "fine")).toBeUndefined()
          expect(yield* store.digest).toEqual({})
        }))

      it.scoped("an empty batch writes nothing", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          expect(yield* store.batch([])).toEqual([])
          expect(yield* store.digest).toEqual({})
        }))

      it.scoped("kinds and ids may contain any characters", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.put("a\u0000b", "c", 1)
          yield* store.put("a", "b\u0000c", 2)
          yield* store.put("k", "line\nbreak \"quoted\" ☃", 3)
          expect((yield* store.get("a\u0000b", "c"))?.value).toBe(1)
          expect((yield* store.get("a", "b\u0000c"))?.value).toBe(2)
          expect((yield* store.get("k", "line\nbreak \"quoted\" ☃"))?.value).toBe(3)
        }))
    })

    describe("merge", () => {
      it.scoped("a remote record with a higher version replaces the local one", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.put("space", "s", "local")
          const newer = remoteRecord("space", "s", "remote", version(50, "b"))
          expect(yield* store.merge(newer)).toBe("applied")
          expect((yield* store.get("space", "s"))?.value).toBe("remote")
        }))

      it.scoped("a remote record with a lower version is ignored", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.merge(remoteRecord("space", "s", "newer", version(20, "b")))
          expect(yield* store.merge(remoteRecord("space", "s", "older", version(10, "c")))).toBe("ignored")
          expect((yield* store.get("space", "s"))?.value).toBe("newer")
        }))

      it.scoped("equal wall times are ordered by counter, then by node id", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.merge(remoteRecord("space", "s", "b0", version(10, "b", 0)))
          yield* store.merge(remoteRecord("space", "s", "c0", version(10, "c", 0)))
          expect((yield* store.get("space", "s"))?.value).toBe("c0")
          yield* store.merge(remoteRecord("space", "s", "b1", version(10, "b", 1)))
          expect((yield* store.get("space", "s"))?.value).toBe("b1")
        }))

      it.scoped("a space's deletion is not undone by a later write made from a read before it", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.merge(remoteRecord("space", "s", { desired: "deleted", generation: 2 }, version(10, "b")))
          expect(yield* store.merge(remoteRecord("space", "s", { desired: "stopped", generation: 2 }, version(20, "c")))).toBe("ignored")
          const delta = deltaOf([remoteRecord("space", "s", { desired: "running", generation: 3 }, version(30, "c"))], {})
          yield* store.applyDelta(delta)
          expect((yield* store.get("space", "s"))?.value).toEqual({ desired: "deleted", generation: 2 })
        }))

      it.scoped("a space's deletion replaces it whatever the versions, and its tombstone replaces the deletion", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.merge(remoteRecord("space", "s", { desired: "stopped", generation: 2 }, version(20, "c")))
          expect(yield* store.merge(remoteRecord("space", "s", { desired: "deleted", generation: 2 }, version(10, "b")))).toBe("applied")
          const tombstone = new StoredRecord({ ...remoteRecord("space", "s", null, version(15, "b")), deleted: true })
          expect(yield* store.merge(tombstone)).toBe("applied")
          expect(yield* store.merge(remoteRecord("space", "s", { desired: "running", generation: 3 }, version(40, "c")))).toBe("ignored")
          expect((yield* store.get("space", "s"))?.deleted).toBe(true)
        }))

      it.scoped("a leaf record of a newer credential is not replaced by a later write of an older one", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.merge(remoteRecord("leaf", "l", { verifier: "new", createdAt: 200 }, version(10, "b")))
          expect(yield* store.merge(remoteRecord("leaf", "l", { verifier: "old", createdAt: 100 }, version(20, "c")))).toBe("ignored")
          expect(yield* store.merge(remoteRecord("leaf", "l", { verifier: "unreadable" }, version(25, "c")))).toBe("ignored")
          const delta = deltaOf([remoteRecord("leaf", "l", { verifier: "old", users: ["u"], createdAt: 100 }, version(30, "c"))], {})
          yield* store.applyDelta(delta)
          expect(yield* store.merge(remoteRecord("leaf", "l", { verifier: "new", users: ["u"], createdAt: 200 }, version(40, "c")))).toBe("applied")
          expect((yield* store.get("leaf", "l"))?.value).toEqual({ verifier: "new", users: ["u"], createdAt: 200 })
        }))

      it.scoped("a local write outranked by what stands is not taken, and the record that stands is returned", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const deletion = remoteRecord("space", "s", { desired: "deleted", generation: 2 }, version(10, "b"))
          yield* store.merge(deletion)
          const [returned, other] = yield* store.batch([
            { _tag: "Put", kind: "space", id: "s", value: { desired: "running", generation: 3 } },
            { _tag: "Put", kind: "template", id: "t", value: 1 }
          ])
          expect(returned).toEqual(deletion)
          expect(other?.value).toBe(1)
          expect((yield* store.get("space", "s"))?.value).toEqual({ desired: "deleted", generation: 2 })
          yield* store.merge(remoteRecord("leaf", "l", { createdAt: 200 }, version(10, "b")))
          expect((yield* store.put("leaf", "l", { createdAt: 100 })).value).toEqual({ createdAt: 200 })
          expect((yield* store.since({})).records.map((record) => `${record.kind}/${record.id}`)).toEqual(["template/t"])
        }))

      it.scoped("records of other kinds keep last-writer-wins, deleted or not", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.merge(new StoredRecord({ ...remoteRecord("user", "u", null, version(10, "b")), deleted: true }))
          expect(yield* store.merge(remoteRecord("user", "u", { desired: "deleted" }, version(20, "c")))).toBe("applied")
          expect(yield* store.merge(remoteRecord("user", "u", { name: "u" }, version(30, "c")))).toBe("applied")
          expect((yield* store.get("user", "u"))?.value).toEqual({ name: "u" })
        }))

      it.scoped("merging the same record twice applies it once", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const record = remoteRecord("space", "s", 1, version(10, "b"))
          expect(yield* store.merge(record)).toBe("applied")
          expect(yield* store.merge(record)).toBe("ignored")
        }))

      it.scoped("merge does not move the digest", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.merge(remoteRecord("space", "s", 1, version(10, "b")))
          expect(yield* store.digest).toEqual({})
        }))

      it.scoped("merge moves this node's clock past the remote version", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.merge(remoteRecord("space", "s", 1, version(5_000, "b", 7)))
          const remote = version(5_000, "b", 7)
          const written = yield* store.put("space", "t", 2)
          expect(written.version.wall).toBe(5_000)
          expect(versionOrder(written.version, remote)).toBe(1)
        }))

      it.scoped("a remote version further ahead than the allowed drift is refused with ClockDriftExceeded", () =>
        Effect.gen(function*() {
          const store = yield* open("a", 1_000)
          const error = yield* Effect.flip(store.merge(remoteRecord("space", "s", 1, version(1_001, "b"))))
          expect(error._tag).toBe("ClockDriftExceeded")
          expect(yield* store.get("space", "s")).toBeUndefined()
        }))

      it.scoped("records of kinds this version does not know are kept and passed on", () =>
        Effect.gen(function*() {
          const a = yield* open("a")
          const b = yield* open("b")
          const gadget = remoteRecord("gadget", "g1", { future: true }, version(10, "z"))
          yield* a.applyDelta(deltaOf([gadget], { z: gadget.version }))
          yield* push(a, b)
          expect((yield* b.list("gadget")).map(describeRecord)).toEqual([describeRecord(gadget)])
        }))
    })

    describe("digest and since", () => {
      it.scoped("local writes raise this node's watermark to the newest write", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.put("space", "s", 1)
          const last = yield* store.delete("space", "s")
          expect(describeDigest(yield* store.digest)).toEqual({ a: [last.version.wall, last.version.counter, "a"] })
        }))

      it.scoped("since sends what the other store lacks, by origin then version", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const b1 = remoteRecord("space", "b1", 1, version(10, "b"))
          const b2 = remoteRecord("space", "b2", 2, version(20, "b"))
          const c1 = remoteRecord("space", "c1", 3, version(15, "c"))
          yield* store.applyDelta(deltaOf([b2, c1, b1], { b: b2.version, c: c1.version }))
          const own = yield* store.put("space", "a1", 4)

          const all = yield* store.since({})
          expect(all.records.map((record) => record.id)).toEqual(["a1", "b1", "b2", "c1"])
          expect(describeDigest(all.upTo)).toEqual(describeDigest(yield* store.digest))

          const partial = yield* store.since({ a: own.version, b: b1.version })
          expect(partial.records.map((record) => record.id)).toEqual(["b2", "c1"])
          expect(Object.keys(partial.upTo).sort()).toEqual(["b", "c"])
        }))

      it.scoped("since with only compares the origins it accepts, and takes the others as held", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const b1 = remoteRecord("space", "b1", 1, version(10, "b"))
          const c1 = remoteRecord("space", "c1", 2, version(15, "c"))
          yield* store.applyDelta(deltaOf([b1, c1], { b: b1.version, c: c1.version }))
          const onlyB = (origin: string) => origin === "b"

          const fromScratch = yield* store.since({}, { only: onlyB })
          expect(fromScratch.records.map((record) => record.id)).toEqual(["b1"])
          expect(Object.keys(fromScratch.upTo)).toEqual(["b"])

          // What the digest claims of an origin left out changes nothing, far behind or not.
          const stray = yield* store.since({ c: version(1, "c") }, { only: onlyB })
          expect(stray.records.map((record) => record.id)).toEqual(["b1"])
          expect(Object.keys(stray.upTo)).toEqual(["b"])
          expect((yield* store.since({ b: b1.version }, { only: onlyB })).records).toEqual([])
        }))

      it.scoped("since does not send records above its own watermark", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const early = remoteRecord("space", "early", 1, version(10, "b"))
          const outOfOrder = remoteRecord("space", "late", 2, version(30, "b"))
          yield* store.applyDelta(deltaOf([early], { b: early.version }))
          yield* store.merge(outOfOrder)
          const delta = yield* store.since({})
          expect(delta.records.map((record) => record.id)).toEqual(["early"])
          expect(describeDigest(delta.upTo)).toEqual({ b: [10, 0, "b"] })
        }))

      it.scoped("since cut short by maxBytes reports how far it got in the origin it stopped in", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const records = [10, 20, 30].map((wall) => remoteRecord("space", `s${wall}`, "x".repeat(100), version(wall, "b")))
          yield* store.applyDelta(deltaOf(records, { b: records[2]!.version }))
          const delta = yield* store.since({}, { maxBytes: 300 })
          expect(delta.records.map((record) => record.id)).toEqual(["s10", "s20"])
          expect(describeDigest(delta.upTo)).toEqual({ b: [20, 0, "b"] })
        }))

      it.scoped("since leaves out origins it did not reach", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const b = remoteRecord("space", "b", "x".repeat(100), version(10, "b"))
          const c = remoteRecord("space", "c", "x".repeat(100), version(10, "c"))
          yield* store.applyDelta(deltaOf([b, c], { b: b.version, c: c.version }))
          const delta = yield* store.since({}, { maxBytes: 150 })
          expect(delta.records.map((record) => record.id)).toEqual(["b"])
          expect(Object.keys(delta.upTo)).toEqual(["b"])
        }))

      it.scoped("since always sends at least one record, however small maxBytes is", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.put("space", "big", "x".repeat(1_000))
          const delta = yield* store.since({}, { maxBytes: 1 })
          expect(delta.records.map((record) => record.id)).toEqual(["big"])
        }))

      it.scoped("since reports the watermark of an origin whose records were all superseded", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const fromB = remoteRecord("space", "s", "b", version(10, "b"))
          yield* store.applyDelta(deltaOf([fromB], { b: fromB.version }))
          yield* store.put("space", "s", "a")
          const delta = yield* store.since({ a: version(0, "a") })
          expect(delta.records.map((record) => record.value)).toEqual(["a"])
          expect(describeDigest(delta.upTo).b).toEqual([10, 0, "b"])
        }))

      it.scoped("applyDelta merges the records and raises the watermarks to upTo", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const record = remoteRecord("space", "s", 1, version(10, "b"))
          expect(yield* store.applyDelta(deltaOf([record], { b: version(12, "b") }))).toBe(1)
          expect(describeDigest(yield* store.digest)).toEqual({ b: [12, 0, "b"] })
          expect((yield* store.get("space", "s"))?.value).toBe(1)
        }))

      it.scoped("applyDelta never lowers a watermark", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.applyDelta(deltaOf([], { b: version(20, "b") }))
          yield* store.applyDelta(deltaOf([], { b: version(10, "b") }))
          expect(describeDigest(yield* store.digest)).toEqual({ b: [20, 0, "b"] })
        }))

      it.scoped("forgetWatermarks drops the chosen origins' watermarks, never its own, and keeps their records", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.put("space", "mine", 0)
          const fromB = remoteRecord("space", "s", 1, version(10, "b"))
          yield* store.applyDelta(deltaOf([fromB], { b: version(12, "b"), c: version(15, "c") }))
          expect(yield* store.forgetWatermarks((origin) => origin !== "c")).toBe(1)
          expect(Object.keys(yield* store.digest).sort()).toEqual(["a", "c"])
          expect((yield* store.get("space", "s"))?.value).toBe(1)
          expect(yield* store.forgetWatermarks(() => true)).toBe(1)
          expect(Object.keys(yield* store.digest)).toEqual(["a"])
        }))

      it.scoped("once a watermark is forgotten, a record of that origin it lacks is taken again", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const left = remoteRecord("space", "left-out", 1, version(10, "b"))
          yield* store.applyDelta(deltaOf([], { b: version(12, "b") }))
          yield* store.applyDelta(deltaOf([left], {}))
          expect(yield* store.get("space", "left-out")).toBeUndefined()
          yield* store.forgetWatermarks((origin) => origin === "b")
          yield* store.applyDelta(deltaOf([left], { b: version(12, "b") }))
          expect((yield* store.get("space", "left-out"))?.value).toBe(1)
          expect(describeDigest(yield* store.digest)).toEqual({ b: [12, 0, "b"] })
        }))

      it.scoped("dropTombstones drops the chosen origins' tombstones, never its own, and then takes the record they shadowed", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.put("space", "own", 1)
          yield* store.delete("space", "own")
          const shadow = new StoredRecord({ kind: "template", id: "t", value: null, version: version(10, "b"), deleted: true })
          const live = remoteRecord("template", "t", "image", version(10, "b"))
          yield* store.applyDelta(deltaOf([shadow], {}))
          yield* store.applyDelta(deltaOf([live], {}))
          expect((yield* store.get("template", "t"))?.deleted).toBe(true)
          expect(yield* store.dropTombstones(() => true)).toBe(1)
          expect(yield* store.get("template", "t")).toBeUndefined()
          expect((yield* store.get("space", "own"))?.deleted).toBe(true)
          yield* store.applyDelta(deltaOf([live], {}))
          expect((yield* store.get("template", "t"))?.value).toBe("image")
        }))

      it.scoped("evict removes others' records only at the version given, never its own, and leaves no tombstone", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const own = yield* store.put("user", "own", 1)
          const kept = remoteRecord("user", "bea", "old", version(10, "b"))
          const gone = remoteRecord("user", "cleo", "cleo", version(11, "b"))
          yield* store.applyDelta(deltaOf([kept, gone], {}))
          yield* store.applyDelta(deltaOf([remoteRecord("user", "bea", "new", version(12, "b"))], { b: version(12, "b") }))
          expect(yield* store.evict([own, kept, gone])).toBe(1)
          expect((yield* store.get("user", "own"))?.value).toBe(1)
          expect((yield* store.get("user", "bea"))?.value).toBe("new")
          expect(yield* store.get("user", "cleo")).toBeUndefined()
          expect((yield* store.list("user")).map((record) => record.id)).toEqual(["bea", "own"])
          expect((yield* store.since({})).records.map((record) => record.id).sort()).toEqual(["bea", "own"])
        }))

      it.scoped("expire removes the records of a kind it is told are void, tombstones and its own included, and leaves no trace", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          yield* store.put("audit", "own-old", { at: 1 })
          yield* store.put("audit", "own-new", { at: 9 })
          yield* store.put("audit", "revoked", { at: 1 })
          yield* store.delete("audit", "revoked")
          yield* store.applyDelta(deltaOf([remoteRecord("audit", "theirs-old", { at: 2 }, version(10, "b"))], { b: version(10, "b") }))
          yield* store.put("user", "kept", { at: 1 })
          const digest = yield* store.digest
          const old = (record: StoredRecord) => record.deleted || (record.value as { readonly at: number }).at < 5
          expect(yield* store.expire("audit", old)).toBe(3)
          expect((yield* store.list("audit")).map((record) => record.id)).toEqual(["own-new"])
          for (const id of ["own-old", "revoked", "theirs-old"]) expect(yield* store.get("audit", id)).toBeUndefined()
          expect((yield* store.get("user", "kept"))?.value).toEqual({ at: 1 })
          expect(yield* store.digest).toEqual(digest)
          expect((yield* store.since({})).records.map((record) => record.id).sort()).toEqual(["kept", "own-new"])
        }))

      it.scoped("a record expired under this store's watermark is not taken again when a peer sends it", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const entry = remoteRecord("audit", "e", { at: 1 }, version(10, "b"))
          yield* store.applyDelta(deltaOf([entry], { b: entry.version }))
          expect(yield* store.expire("audit", () => true)).toBe(1)
          expect(yield* store.merge(entry)).toBe("ignored")
          expect(yield* store.applyDelta(deltaOf([entry], { b: entry.version }))).toBe(0)
          expect(yield* store.get("audit", "e")).toBeUndefined()
        }))

      it.scoped("applyDelta raises no watermark past a gap: from where it starts, this store must hold at least as far", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const gap = new Delta({ records: [], upTo: { b: version(20, "b") }, after: { b: version(10, "b") } })
          yield* store.applyDelta(gap)
          expect(yield* store.digest).toEqual({})
          yield* store.applyDelta(deltaOf([], { b: version(12, "b") }))
          yield* store.applyDelta(gap)
          expect(describeDigest(yield* store.digest)).toEqual({ b: [20, 0, "b"] })
        }))

      it.scoped("since says which watermarks its delta starts from", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const first = yield* store.put("space", "s", 1)
          yield* store.put("space", "t", 2)
          expect((yield* store.since({ a: first.version, z: version(5, "z") })).after).toEqual({ a: first.version })
          expect((yield* store.since({})).after).toEqual({})
        }))

      it.scoped("a delta with a record beyond the allowed drift changes nothing", () =>
        Effect.gen(function*() {
          const store = yield* open("a", 1_000)
          const fine = remoteRecord("space", "fine", 1, version(10, "b"))
          const ahead = remoteRecord("space", "ahead", 2, version(5_000, "c"))
          const error = yield* Effect.flip(
            store.applyDelta(deltaOf([fine, ahead], { b: fine.version, c: ahead.version }))
          )
          expect(error._tag).toBe("ClockDriftExceeded")
          expect(yield* store.get("space", "fine")).toBeUndefined()
          expect(yield* store.digest).toEqual({})
        }))

      it.scoped("sinceStream yields the records of since without a byte bound", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const many = 1_234
          yield* store.batch(Array.from({ length: many }, (_, i) => ({ _tag: "Put", kind: "space", id: `s${i}`, value: i })))
          const streamed = yield* Stream.runCollect(store.sinceStream({}))
          const delta = yield* store.since({})
          expect(delta.records).toHaveLength(many)
          expect(Chunk.toReadonlyArray(streamed).map(describeRecord)).toEqual(delta.records.map(describeRecord))
        }))

      it.scoped("since in bounded deltas hands over every record exactly once", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const many = 1_234
          yield* store.batch(Array.from({ length: many }, (_, i) => ({ _tag: "Put", kind: "space", id: `s${i}`, value: i })))
          const sent: Array<unknown> = []
          let theirs = {}
          for (;;) {
            const delta = yield* store.since(theirs, { maxBytes: 2_000 })
            if (delta.records.length === 0) break
            sent.push(...delta.records.map((record) => record.value))
            theirs = { ...theirs, ...delta.upTo }
          }
          expect(sent).toEqual(Array.from({ length: many }, (_, i) => i))
          expect((yield* store.list("space")).length).toBe(many)
        }))
    })

    describe("changes", () => {
      it.scoped("a subscription sees local and remote changes in the order applied", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const changes = yield* store.subscribe
          yield* store.put("space", "s", 1)
          yield* store.merge(remoteRecord("space", "t", 2, version(10, "b")))
          yield* store.merge(remoteRecord("space", "t", 0, version(5, "b")))
          yield* store.delete("space", "s")
          const seen = Chunk.toReadonlyArray(yield* Queue.takeAll(changes))
          expect(seen.map((change) => [change.source, change.record.id, change.record.deleted])).toEqual([
            ["local", "s", false],
            ["remote", "t", false],
            ["local", "s", true]
          ])
        }))

      it.scoped("a listener is called with every change as its write commits, in order, until its scope closes", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const heard: Array<string> = []
          const listening = yield* Scope.make()
          yield* Scope.extend(store.listen((change) => heard.push(`${change.source} ${change.record.id}`)), listening)
          yield* store.put("space", "s", 1)
          expect(heard).toEqual(["local s"])
          yield* store.merge(remoteRecord("space", "t", 2, version(10, "b")))
          yield* store.merge(remoteRecord("space", "t", 0, version(5, "b")))
          yield* store.batch([{ _tag: "Put", kind: "space", id: "u", value: 3 }, { _tag: "Delete", kind: "space", id: "s" }])
          expect(heard).toEqual(["local s", "remote t", "local u", "local s"])
          yield* Scope.close(listening, Exit.void)
          yield* store.put("space", "v", 4)
          expect(heard).toHaveLength(4)
        }))

      it.scoped("the changes stream delivers the changes applied while it runs, in order", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const collected = yield* Effect.fork(Stream.runCollect(Stream.take(store.changes, 3)))
          // The stream subscribes once it starts running: keep writing, letting it run between
          // writes, until it has seen three.
          const writeNext = (n: number) => Effect.as(Effect.zipLeft(store.put("space", "tick", n), Effect.yieldNow()), n + 1)
          const writer = yield* Effect.fork(Effect.iterate(0, { while: () => true, body: writeNext }))
          const seen = Chunk.toReadonlyArray(yield* Fiber.join(collected))
          yield* Fiber.interrupt(writer)
          const values = seen.map((change) => change.record.value as number)
          expect(seen.every((change) => change.source === "local")).toBe(true)
          expect(values.slice(1)).toEqual([values[0]! + 1, values[0]! + 2])
        }))
    })

    describe("tombstone collection", () => {
      const deleteAndAge = (store: StoreShape) =>
        Effect.gen(function*() {
          yield* store.put("space", "s", 1)
          const tombstone = yield* store.delete("space", "s")
          yield* TestClock.adjust("2 hours")
          return tombstone
        })

      it.scoped("drops a tombstone older than the minimum age that every peer has seen", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const tombstone = yield* deleteAndAge(store)
          expect(yield* store.collectGarbage([{ a: tombstone.version }], hour)).toBe(1)
          expect(yield* store.get("space", "s")).toBeUndefined()
        }))

      it.scoped("keeps a tombstone a peer's digest does not cover", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const tombstone = yield* deleteAndAge(store)
          const behind = version(tombstone.version.wall, "a", tombstone.version.counter - 1)
          expect(yield* store.collectGarbage([{ a: tombstone.version }, { a: behind }, {}], hour)).toBe(0)
          expect((yield* store.get("space", "s"))?.deleted).toBe(true)
        }))

      it.scoped("keeps a tombstone younger than the minimum age", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const tombstone = yield* deleteAndAge(store)
          expect(yield* store.collectGarbage([{ a: tombstone.version }], 3 * hour)).toBe(0)
        }))

      it.scoped("keeps a tombstone above this store's own watermark", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const tombstone = remoteRecord("space", "s", null, version(10, "b"), true)
          yield* store.merge(tombstone)
          yield* TestClock.adjust("2 hours")
          expect(yield* store.collectGarbage([{ b: tombstone.version }], hour)).toBe(0)
        }))

      it.scoped("a write older than a collected tombstone does not bring the record back", () =>
        Effect.gen(function*() {
          const store = yield* open("a")
          const written = remoteRecord("space", "s", "old", version(10, "b"))
          const tombstone = remoteRecord("space", "s", null, version(20, "b"), true)
          yield* store.applyDelta(deltaOf([tombstone], { b: tombstone.version }))
          yield* TestClock.adjust("2 hours")
          expect(yield* store.collectGarbage([{ b: tombstone.version }], hour)).toBe(1)
          expect(yield* store.merge(written)).toBe("ignored")
          expect(yield* store.merge(tombstone)).toBe("ignored")
          expect(yield* store.get("space", "s")).toBeUndefined()
        }))
    })

    it.scoped("a closed store fails every call with StorageFailure", () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(factory({ nodeId: nodeId("a"), maxDriftMs: 1_000 }), scope)
        const store = Context.get(context, Store)
        yield* store.put("space", "s", 1)
        yield* Scope.close(scope, Exit.void)
        const failures = yield* Effect.all([
          Effect.flip(store.get("space", "s")),
          Effect.flip(store.put("space", "s", 2)),
          Effect.flip(store.digest)
        ])
        expect(failures.map((error) => error._tag)).toEqual(["StorageFailure", "StorageFailure", "StorageFailure"])
      }))

    describe("properties", () => {
      const kinds = ["space", "template", "gadget"] as const
      const ids = ["a", "b", "c", "d"] as const
      const keys = kinds.flatMap((kind) => ids.map((id) => [kind, id] as const))
      const runs = { numRuns: options.propertyRuns }
      const run = <A>(effect: Effect.Effect<A, unknown, Scope.Scope>) => Effect.runPromise(Effect.scoped(effect))

      /** Writes from several origins with unique versions, possibly several per key. */
      const remoteWrites = fc
        .uniqueArray(
          fc.record({
            wall: fc.integer({ min: 1, max: 40 }),
            counter: fc.integer({ min: 0, max: 2 }),
            node: fc.constantFrom("x", "y", "z"),
            kind: fc.constantFrom(...kinds),
            id: fc.constantFrom(...ids),
            value: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
            deleted: fc.boolean()
          }),
          { selector: (write) => `${write.wall}/${write.counter}/${write.node}`, maxLength: 25 }
        )
        .map((writes) =>
          writes.map((write) =>
            remoteRecord(write.kind, write.id, write.value, version(write.wall, write.node, write.counter), write.deleted)
          )
        )

      it("delivering the same records in any order, with repeats, gives the same contents", () =>
        fc.assert(
          fc.asyncProperty(
            remoteWrites.chain((records) =>
              fc.tuple(
                fc.constant(records),
                fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }),
                fc.array(fc.nat(), { maxLength: 5 })
              )
            ),
            ([inOrder, shuffled, repeats]) =>
              run(Effect.gen(function*() {
                const first = yield* open("p")
                const second = yield* open("q")
                for (const record of inOrder) yield* first.merge(record)
                const again = repeats.flatMap((pick) => inOrder.slice(pick % Math.max(inOrder.length, 1)).slice(0, 1))
                for (const record of [...shuffled, ...again]) yield* second.merge(record)
                const left = yield* snapshot(first, keys, kinds)
                const right = yield* snapshot(second, keys, kinds)
                expect(right).toEqual(left)
              }))
          ),
          runs
        ))

      const step = fc.oneof(
        fc.record({
          tag: fc.constant("write" as const),
          onX: fc.boolean(),
          kind: fc.constantFrom(...kinds),
          id: fc.constantFrom(...ids),
          value: fc.integer(),
          deleted: fc.boolean()
        }),
        /** An eager push of one of the other store's writes, in any order, possibly stale. */
        fc.record({ tag: fc.constant("push" as const), toX: fc.boolean(), pick: fc.nat() }),
        /** One bounded anti-entropy message, one way. */
        fc.record({ tag: fc.constant("delta" as const), toX: fc.boolean(), maxBytes: fc.integer({ min: 1, max: 300 }) })
      )

      it("anti-entropy in both directions makes two stores equal, even after out-of-order merges", () =>
        fc.assert(
          fc.asyncProperty(
            fc.array(step, { maxLength: 40 }),
            fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
            (steps, maxBytes) =>
              run(Effect.gen(function*() {
                const x = yield* open("x")
                const y = yield* open("y")
                const written = { x: [] as Array<StoredRecord>, y: [] as Array<StoredRecord> }
                for (const next of steps) {
                  if (next.tag === "write") {
                    const store = next.onX ? x : y
                    const record = next.deleted
                      ? yield* store.delete(next.kind, next.id)
                      : yield* store.put(next.kind, next.id, next.value)
                    written[next.onX ? "x" : "y"].push(record)
                  } else if (next.tag === "push") {
                    const from = written[next.toX ? "y" : "x"]
                    const record = from[next.pick % Math.max(from.length, 1)]
                    if (record !== undefined) yield* (next.toX ? x : y).merge(record)
                  } else {
                    yield* (next.toX ? push(y, x, next.maxBytes) : push(x, y, next.maxBytes))
                  }
                }
                yield* exchangeUntilQuiet(x, y, maxBytes)
                const left = yield* snapshot(x, keys, kinds)
                const right = yield* snapshot(y, keys, kinds)
                expect(right).toEqual(left)
              }))
          ),
          runs
        ))
    })
  })
