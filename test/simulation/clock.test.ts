import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber } from "effect"
import { nodeClock, VirtualTime } from "../../simulations/clock.ts"
import { nextLookInMs } from "../../simulations/runSimulation.ts"
import { drive, SimScheduler } from "../../simulations/scheduler.ts"

describe("virtual time", () => {
  it("fires timers in time order, ties in the order they were set", () => {
    const time = new VirtualTime()
    const fired: Array<string> = []
    time.schedule(20, () => fired.push("b"))
    time.schedule(10, () => fired.push("a"))
    time.schedule(20, () => fired.push("c"))
    while (time.fireNext()) continue
    expect(fired).toEqual(["a", "b", "c"])
    expect(time.now).toBe(20)
  })

  it("skips a cancelled timer", () => {
    const time = new VirtualTime()
    const fired: Array<string> = []
    const cancel = time.schedule(5, () => fired.push("cancelled"))
    time.schedule(6, () => fired.push("kept"))
    cancel()
    while (time.fireNext()) continue
    expect(fired).toEqual(["kept"])
  })

  it("wakes sleeping fibers at their virtual times, each node reading its own drift", () => {
    const time = new VirtualTime()
    const program = Effect.gen(function*() {
      const slow = yield* Effect.fork(Effect.withClock(Effect.zipRight(Effect.sleep("1 hour"), Clock.currentTimeMillis), nodeClock(time, 250)))
      yield* Effect.sleep("1 minute")
      const early = time.now
      return [early, yield* Fiber.join(slow)] as const
    }).pipe(Effect.withClock(nodeClock(time)))
    const result = drive(program, new SimScheduler(), time)
    expect(result._tag === "Done" && result.exit._tag === "Success" && result.exit.value).toEqual([60_000, 3_600_250])
  })

  it("reports a run where every fiber waits and no timer is pending", () => {
    const time = new VirtualTime()
    expect(drive(Effect.never, new SimScheduler(), time)._tag).toBe("Stalled")
  })

  // A deadline with digits below a nanosecond, as a message's latency leaves them.
  const deadline = 56_168.4536162345

  it("stops a hair short of a deadline when a fractional wait is rounded to whole nanoseconds", () => {
    const time = new VirtualTime()
    time.schedule(56_000.25, () => undefined)
    time.fireNext()
    const program = Effect.suspend(() => Effect.sleep(deadline - time.now)).pipe(Effect.withClock(nodeClock(time)))
    drive(program, new SimScheduler(), time)
    expect(time.now).toBeLessThan(deadline)
    expect(Duration.toMillis(Duration.decode(deadline - time.now))).toBe(0)
  })

  it("reaches that deadline when the harness waits by nextLookInMs", () => {
    const time = new VirtualTime()
    time.schedule(56_000.25, () => undefined)
    time.fireNext()
    const program = Effect.gen(function*() {
      let looks = 0
      while (time.now < deadline && looks < 10) {
        looks++
        yield* Effect.sleep(nextLookInMs(time.now, deadline))
      }
      return looks
    }).pipe(Effect.withClock(nodeClock(time)))
    const result = drive(program, new SimScheduler(), time)
    expect(result._tag === "Done" && result.exit._tag === "Success" && result.exit.value).toBe(1)
    expect(time.now).toBeGreaterThanOrEqual(deadline)
  })
})
