import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { makeHlc } from "../../storage/hlc.ts"
import { versionOrder } from "../../storage/record.ts"
import type { Version } from "../../storage/record.ts"
import { nodeId, version } from "./storeFixtures.ts"

const clock = (maxDriftMs = 1_000, after?: { wall: number; counter: number }) =>
  makeHlc({ nodeId: nodeId("local"), maxDriftMs, ...(after === undefined ? {} : { after }) })

const reading = (stamp: Version) => [stamp.wall, stamp.counter, stamp.node]

describe("hybrid logical clock", () => {
  it.effect("now increases the counter while the physical clock stands still", () =>
    Effect.gen(function*() {
      const hlc = yield* clock()
      yield* TestClock.setTime(100)
      const stamps = [yield* hlc.now, yield* hlc.now, yield* hlc.now]
      expect(stamps.map(reading)).toEqual([[100, 0, "local"], [100, 1, "local"], [100, 2, "local"]])
    }))

  it.effect("now follows the physical clock forward and starts the counter again", () =>
    Effect.gen(function*() {
      const hlc = yield* clock()
      yield* TestClock.setTime(100)
      yield* hlc.now
      yield* hlc.now
      yield* TestClock.adjust(5)
      expect(reading(yield* hlc.now)).toEqual([105, 0, "local"])
    }))

  it.effect("now never goes back when the physical clock does", () =>
    Effect.gen(function*() {
      const hlc = yield* clock()
      yield* TestClock.setTime(500)
      const before = yield* hlc.now
      yield* TestClock.setTime(200)
      const after = yield* hlc.now
      expect(versionOrder(after, before)).toBe(1)
      expect(reading(after)).toEqual([500, 1, "local"])
    }))

  it.effect("a clock restarted after a later timestamp continues past it", () =>
    Effect.gen(function*() {
      const hlc = yield* clock(1_000, { wall: 9_000, counter: 4 })
      expect(reading(yield* hlc.now)).toEqual([9_000, 5, "local"])
    }))

  it.effect("nowMany gives the timestamps that as many calls of now would", () =>
    Effect.gen(function*() {
      const hlc = yield* clock()
      yield* TestClock.setTime(100)
      const many = yield* hlc.nowMany(3)
      expect(many.map(reading)).toEqual([[100, 0, "local"], [100, 1, "local"], [100, 2, "local"]])
      expect(reading(yield* hlc.now)).toEqual([100, 3, "local"])
    }))

  it.effect("receive of a timestamp ahead of the local one moves past it", () =>
    Effect.gen(function*() {
      const hlc = yield* clock()
      yield* TestClock.setTime(100)
      expect(reading(yield* hlc.receive(version(600, "remote", 3)))).toEqual([600, 4, "local"])
      expect(reading(yield* hlc.now)).toEqual([600, 5, "local"])
    }))

  it.effect("receive of an older timestamp still advances the local counter", () =>
    Effect.gen(function*() {
      const hlc = yield* clock()
      yield* TestClock.setTime(100)
      yield* hlc.now
      expect(reading(yield* hlc.receive(version(50, "remote", 9)))).toEqual([100, 1, "local"])
    }))

  it.effect("receive with equal wall times continues after the larger counter", () =>
    Effect.gen(function*() {
      const hlc = yield* clock()
      yield* TestClock.setTime(100)
      yield* hlc.nowMany(3)
      expect(reading(yield* hlc.receive(version(100, "remote", 7)))).toEqual([100, 8, "local"])
    }))

  it.effect("receive when the physical clock is ahead of both takes physical time", () =>
    Effect.gen(function*() {
      const hlc = yield* clock()
      yield* TestClock.setTime(100)
      yield* hlc.now
      yield* TestClock.setTime(300)
      expect(reading(yield* hlc.receive(version(200, "remote", 5)))).toEqual([300, 0, "local"])
    }))

  it.effect("a remote timestamp exactly at the maximum drift is accepted", () =>
    Effect.gen(function*() {
      const hlc = yield* clock(1_000)
      yield* TestClock.setTime(100)
      expect((yield* hlc.receive(version(1_100, "remote"))).wall).toBe(1_100)
    }))

  it.effect("a remote timestamp beyond the maximum drift is refused and leaves the clock alone", () =>
    Effect.gen(function*() {
      const hlc = yield* clock(1_000)
      yield* TestClock.setTime(100)
      const error = yield* Effect.flip(hlc.receive(version(1_101, "remote")))
      expect(error._tag).toBe("ClockDriftExceeded")
      expect([error.remoteWall, error.localWall, error.maxDriftMs]).toEqual([1_101, 100, 1_000])
      expect(error.message).toContain("1001 ms ahead")
      expect(reading(yield* hlc.now)).toEqual([100, 0, "local"])
    }))
})
