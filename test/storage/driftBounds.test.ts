import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope, TestClock } from "effect"
import { MemoryDisk, MemoryStore } from "../../storage/memoryStore.ts"
import { deltaOf, nodeId, remoteRecord, version } from "./storeFixtures.ts"

const driftMs = 60_000
const now = 1_000_000
const farFuture = now + 1e15

const open = (disk: MemoryDisk, maxDriftMs = driftMs) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const handle = yield* Scope.extend(MemoryStore.make({ nodeId: nodeId("me"), maxDriftMs, disk }), scope)
    return { store: handle.store, close: Scope.close(scope, Exit.void) }
  })

/** A disk holding what an unbounded store absorbed: a far-future record and watermark of "b". */
const poisonedDisk = Effect.gen(function*() {
  const disk = MemoryDisk.empty()
  const { close, store } = yield* open(disk, 1e16)
  yield* store.applyDelta(
    deltaOf([remoteRecord("template", "t", { x: 1 }, version(farFuture, "b"))], { b: version(farFuture, "b") })
  )
  yield* close
  return disk
})

describe("bounds on what a peer claims about its clock", () => {
  it.scoped("a delta whose watermark lies beyond the drift bound is refused whole", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const { store } = yield* open(MemoryDisk.empty())
      const forged = deltaOf(
        [remoteRecord("template", "a", { x: 1 }, version(now, "a"))],
        { b: version(farFuture, "b") }
      )
      const refused = yield* Effect.flip(store.applyDelta(forged))
      expect(refused._tag).toBe("ClockDriftExceeded")
      expect(yield* store.digest).toEqual({})
      expect(yield* store.get("template", "a")).toBeUndefined()
    }))

  it.scoped("after a refused watermark, the named origin's later records still apply", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const { store } = yield* open(MemoryDisk.empty())
      yield* Effect.flip(store.applyDelta(deltaOf([], { b: version(farFuture, "b") })))
      const honest = version(now + 5, "b")
      const applied = yield* store.applyDelta(
        deltaOf([remoteRecord("template", "t", { x: 2 }, honest)], { b: honest })
      )
      expect(applied).toBe(1)
      expect((yield* store.get("template", "t"))?.value).toEqual({ x: 2 })
    }))

  it.scoped("a refused watermark does not move the clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const { store } = yield* open(MemoryDisk.empty())
      yield* Effect.flip(store.applyDelta(deltaOf([], { b: version(farFuture, "b") })))
      expect((yield* store.clock).wall).toBe(now)
    }))

  it.scoped("a store reopened over far-future stamps starts its clock at its own wall time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const disk = yield* poisonedDisk
      const { store } = yield* open(disk)
      const written = yield* store.put("template", "mine", { x: 3 })
      expect(written.version.wall).toBeGreaterThanOrEqual(now)
      expect(written.version.wall).toBeLessThanOrEqual(now + driftMs)
    }))

  it.scoped("a stored watermark beyond the drift bound is forgotten on open, so the origin is asked again", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const disk = yield* poisonedDisk
      const { store } = yield* open(disk)
      expect(Object.keys(yield* store.digest)).not.toContain("b")
      const honest = version(now + 5, "b")
      yield* store.applyDelta(deltaOf([remoteRecord("template", "u", { x: 4 }, honest)], { b: honest }))
      expect((yield* store.get("template", "u"))?.value).toEqual({ x: 4 })
      expect((yield* store.digest)["b"]?.wall).toBe(now + 5)
    }))
})
