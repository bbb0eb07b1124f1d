/**
 * How long the audit log keeps an entry: every node drops, from its own store, every entry
 * past the retention whoever wrote it, and leaves no tombstone for it. The clock is the test's.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import { auditKind, pruneAudit } from "../../effects/http/audit/auditLog.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId, StoredRecord, Version } from "../../storage/record.ts"

/** Short, so that the test's clock runs few of the hourly prunes. */
const retention = Duration.hours(3)

const entry = (at: number, node: string) => ({ at, method: "POST", path: "/api/spaces", status: 201, address: "127.0.0.1", node })

describe("the audit log's retention", () => {
  it.scoped("drops every node's entries past it, and the tombstones older versions wrote, without a trace", () =>
    Effect.gen(function*() {
      const { store } = yield* MemoryStore.make({ nodeId: NodeId.make("node-a"), maxDriftMs: 60_000 })
      yield* store.put(auditKind, "own", entry(0, "node-a"))
      yield* store.put(auditKind, "deleted", entry(0, "node-a"))
      yield* store.delete(auditKind, "deleted")
      yield* store.merge(new StoredRecord({
        kind: auditKind,
        id: "theirs",
        value: entry(0, "node-b"),
        version: new Version({ wall: 0, counter: 0, node: NodeId.make("node-b") }),
        deleted: false
      }))
      yield* Effect.forkScoped(pruneAudit(store, retention))
      yield* TestClock.adjust(Duration.hours(2))
      yield* store.put(auditKind, "recent", entry(Duration.toMillis(Duration.hours(2)), "node-a"))
      const digest = yield* store.digest
      yield* TestClock.adjust(Duration.hours(2))
      for (const id of ["own", "deleted", "theirs"]) expect(yield* store.get(auditKind, id)).toBeUndefined()
      expect((yield* store.list(auditKind)).map((record) => record.id)).toEqual(["recent"])
      expect(yield* store.digest).toEqual(digest)
    }))

  it.scoped("keeps an entry until it is past it", () =>
    Effect.gen(function*() {
      const { store } = yield* MemoryStore.make({ nodeId: NodeId.make("node-a"), maxDriftMs: 60_000 })
      yield* TestClock.adjust(Duration.hours(2))
      yield* store.put(auditKind, "e", entry(Duration.toMillis(Duration.hours(2)), "node-a"))
      yield* Effect.forkScoped(pruneAudit(store, retention))
      yield* TestClock.adjust(Duration.hours(3))
      expect((yield* store.list(auditKind)).map((record) => record.id)).toEqual(["e"])
      yield* TestClock.adjust(Duration.hours(1))
      expect(yield* store.get(auditKind, "e")).toBeUndefined()
    }))
})
