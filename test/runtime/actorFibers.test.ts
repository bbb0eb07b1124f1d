/**
 * An actor runs on a fiber only while it has work (init, a restart, messages); these pin
 * down what that must not change: init at spawn, order, one message at a time, state kept
 * between bursts, and what stopping does to an idle actor.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Ref, Scope, TestClock } from "effect"
import {
  type ActorRef,
  ActorSystem,
  ActorSystemLive,
  type Behaviour,
  type Reply,
  Supervision
} from "../../actors/runtime/index.ts"

type Msg =
  | { readonly _tag: "Add"; readonly n: number }
  | { readonly _tag: "Get"; readonly reply: Reply<number> }
  | { readonly _tag: "Crash" }
  | { readonly _tag: "StopSelf" }

const receive: Behaviour<Msg, number>["receive"] = (state, msg, ctx) => {
  switch (msg._tag) {
    case "Add":
      return Effect.succeed(state + msg.n)
    case "Get":
      return Effect.as(msg.reply.succeed(state), state)
    case "Crash":
      return Effect.die(new Error("boom"))
    case "StopSelf":
      return Effect.as(ctx.self.stop, state)
  }
}

const get = (ref: ActorRef<Msg>) =>
  ref.ask<number>((reply) => ({ _tag: "Get", reply }), "1 second")

const noJitter = Supervision.exponential({ base: "100 millis", jitter: false, maxRestarts: 3, within: "1 hour" })

describe("actor fibers", () => {
  it.scoped("runs init at spawn, with no message sent", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const inits = yield* Ref.make(0)
      yield* system.spawn({ init: () => Effect.as(Ref.update(inits, (n) => n + 1), 0), receive }, { name: "eager" })
      yield* Effect.yieldNow()
      expect(yield* Ref.get(inits)).toBe(1)
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("handles messages told during a slow init after it, in the order told", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const seen = yield* Ref.make<ReadonlyArray<number>>([])
      const slow: Behaviour<Msg, number> = {
        init: () => Effect.as(Effect.sleep("1 second"), 0),
        receive: (state, msg, ctx) =>
          msg._tag === "Add"
            ? Effect.as(Ref.update(seen, (xs) => [...xs, msg.n]), state + msg.n)
            : receive(state, msg, ctx)
      }
      const ref = yield* system.spawn(slow, { name: "slow" })
      for (const n of [1, 2, 3]) yield* ref.tell({ _tag: "Add", n })
      yield* Effect.yieldNow()
      expect(yield* Ref.get(seen)).toEqual([])
      yield* TestClock.adjust("1 second")
      expect(yield* get(ref)).toBe(6)
      expect(yield* Ref.get(seen)).toEqual([1, 2, 3])
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("handles one message at a time while later ones keep arriving", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const busy = yield* Ref.make(0)
      const most = yield* Ref.make(0)
      const sleeper: Behaviour<Msg, number> = {
        init: () => Effect.succeed(0),
        receive: (state, msg, ctx) =>
          msg._tag === "Add"
            ? Ref.updateAndGet(busy, (n) => n + 1).pipe(
                Effect.flatMap((now) => Ref.update(most, (m) => Math.max(m, now))),
                Effect.zipRight(Effect.sleep("10 millis")),
                Effect.zipRight(Ref.update(busy, (n) => n - 1)),
                Effect.as(state + msg.n)
              )
            : receive(state, msg, ctx)
      }
      const ref = yield* system.spawn(sleeper, { name: "sleeper" })
      for (const n of [1, 2, 3, 4]) {
        yield* ref.tell({ _tag: "Add", n })
        yield* TestClock.adjust("5 millis")
      }
      yield* TestClock.adjust("1 second")
      expect(yield* get(ref)).toBe(10)
      expect(yield* Ref.get(most)).toBe(1)
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("handles what is told from outside any fiber as a tell, and ignores it once the actor stopped", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const ref = yield* system.spawn({ init: () => Effect.succeed(0), receive }, { name: "outside" })
      // A plain callback, as the simulated network runs when a frame lands.
      const fromOutside = (n: number) => () => ref.unsafeTell({ _tag: "Add", n })
      fromOutside(1)()
      yield* ref.tell({ _tag: "Add", n: 2 })
      fromOutside(4)()
      expect(yield* get(ref)).toBe(7)
      yield* ref.stop
      fromOutside(8)()
      expect(yield* ref.isAlive).toBe(false)
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("keeps an idle actor's state between bursts of messages", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const ref = yield* system.spawn({ init: () => Effect.succeed(0), receive }, { name: "idle" })
      yield* ref.tell({ _tag: "Add", n: 2 })
      expect(yield* get(ref)).toBe(2)
      yield* TestClock.adjust("1 hour")
      yield* ref.tell({ _tag: "Add", n: 3 })
      expect(yield* get(ref)).toBe(5)
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("runs postStop with the last state when an idle actor stops, not when it restarts", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const stops = yield* Ref.make<ReadonlyArray<number>>([])
      const ref = yield* system.spawn(
        {
          init: () => Effect.succeed(0),
          receive,
          postStop: (state) => Ref.update(stops, (xs) => [...xs, state])
        },
        { name: "tidy", supervision: noJitter }
      )
      yield* ref.tell({ _tag: "Crash" })
      yield* TestClock.adjust("100 millis")
      yield* ref.tell({ _tag: "Add", n: 5 })
      expect(yield* get(ref)).toBe(5)
      yield* ref.stop
      expect(yield* Ref.get(stops)).toEqual([5])
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("closes the scope of an incarnation before a restart and when the actor stops", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const closed = yield* Ref.make(0)
      const ref = yield* system.spawn(
        {
          init: (ctx) => Effect.as(Scope.addFinalizer(ctx.scope, Ref.update(closed, (n) => n + 1)), 0),
          receive
        },
        { name: "scoped", supervision: noJitter }
      )
      yield* ref.tell({ _tag: "Crash" })
      yield* TestClock.adjust("100 millis")
      expect(yield* get(ref)).toBe(0)
      expect(yield* Ref.get(closed)).toBe(1)
      yield* ref.stop
      expect(yield* Ref.get(closed)).toBe(2)
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("interrupts the fibers an actor forked in its scope when it stops", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const started = yield* Deferred.make<void>()
      const interrupted = yield* Deferred.make<void>()
      const forever = Deferred.succeed(started, undefined).pipe(
        Effect.zipRight(Effect.never),
        Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined))
      )
      const ref = yield* system.spawn(
        { init: (ctx) => Effect.as(Effect.forkIn(forever, ctx.scope), 0), receive },
        { name: "forker" }
      )
      yield* Deferred.await(started)
      yield* ref.stop
      expect(yield* Deferred.isDone(interrupted)).toBe(true)
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("keeps a timer forked in its scope running while the actor is idle", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const ref = yield* system.spawn(
        {
          init: (ctx) =>
            Effect.as(
              Effect.forkIn(Effect.forever(Effect.delay(ctx.self.tell({ _tag: "Add", n: 1 }), "1 second")), ctx.scope),
              0
            ),
          receive
        },
        { name: "ticking" }
      )
      yield* TestClock.adjust("3 seconds")
      expect(yield* get(ref)).toBe(3)
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("fails with ActorStopped an ask the actor was still handling when it was stopped", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const stuck: Behaviour<{ readonly reply: Reply<number> }, number> = {
        init: () => Effect.succeed(0),
        receive: () => Effect.never
      }
      const ref = yield* system.spawn(stuck, { name: "stuck" })
      const asking = yield* Effect.fork(ref.ask<number>((reply) => ({ reply }), "1 minute"))
      yield* Effect.yieldNow()
      yield* ref.stop
      const exit = yield* Fiber.await(asking)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("ActorStopped")
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("stops an actor that stops itself while handling a message, and drops what comes after", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const ref = yield* system.spawn({ init: () => Effect.succeed(0), receive }, { name: "quitter" })
      yield* ref.tell({ _tag: "StopSelf" })
      yield* ref.tell({ _tag: "Add", n: 1 })
      yield* TestClock.adjust("1 millis")
      expect(yield* ref.isAlive).toBe(false)
      expect(yield* system.paths).toEqual([])
      const error = yield* get(ref).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ActorStopped" })
    }).pipe(Effect.provide(ActorSystemLive))
  )
})
