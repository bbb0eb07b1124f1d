import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, Fiber, Option, Queue, Ref, TestClock } from "effect"
import {
  ActorSystem,
  ActorSystemLive,
  AskTimeout,
  type Behaviour,
  type LifecycleEvent,
  type Reply,
  Supervision
} from "../../actors/runtime/index.ts"

type CounterMsg =
  | { readonly _tag: "Add"; readonly n: number }
  | { readonly _tag: "Get"; readonly reply: Reply<number> }
  | { readonly _tag: "Crash" }

const counter = (log?: Ref.Ref<ReadonlyArray<number>>): Behaviour<CounterMsg, number> => ({
  init: () => Effect.succeed(0),
  receive: (state, msg) => {
    switch (msg._tag) {
      case "Add":
        return Effect.as(log ? Ref.update(log, (xs) => [...xs, msg.n]) : Effect.void, state + msg.n)
      case "Get":
        return Effect.as(msg.reply.succeed(state), state)
      case "Crash":
        return Effect.die(new Error("boom"))
    }
  }
})

const noJitter = (maxRestarts: number) =>
  Supervision.exponential({ base: "100 millis", factor: 2, jitter: false, maxRestarts, within: "1 hour" })

const takeEvents = (queue: Queue.Dequeue<LifecycleEvent>, n: number) =>
  Effect.map(Queue.takeBetween(queue, n, n), Chunk.toReadonlyArray)

describe("ActorSystem", () => {
  it.scoped("handles one actor's messages in the order they were told", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const log = yield* Ref.make<ReadonlyArray<number>>([])
      const ref = yield* system.spawn(counter(log), { name: "counter" })
      yield* Effect.forEach([1, 2, 3, 4, 5], (n) => ref.tell({ _tag: "Add", n }), { discard: true })
      const total = yield* ref.ask<number>((reply) => ({ _tag: "Get", reply }), "1 second")
      expect(total).toBe(15)
      expect(yield* Ref.get(log)).toEqual([1, 2, 3, 4, 5])
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("fails an ask with AskTimeout when no reply comes within the timeout", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const silent: Behaviour<{ readonly reply: Reply<string> }, null> = {
        init: () => Effect.succeed(null),
        receive: (state) => Effect.succeed(state)
      }
      const ref = yield* system.spawn(silent, { name: "silent" })
      const fiber = yield* Effect.fork(ref.ask<string>((reply) => ({ reply }), "5 seconds"))
      yield* TestClock.adjust("4999 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 milli")
      const result = yield* Fiber.join(fiber).pipe(Effect.either)
      expect(Either.isLeft(result) && result.left).toBeInstanceOf(AskTimeout)
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("restarts a crashing actor after exactly the delays of its schedule", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const events = yield* system.subscribe
      const ref = yield* system.spawn(counter(), { name: "flaky", supervision: noJitter(3) })
      yield* takeEvents(events, 1)
      const restartTimes: Array<number> = []
      for (const expectedDelay of [100, 200, 400]) {
        yield* ref.tell({ _tag: "Crash" })
        yield* TestClock.adjust(Duration.millis(expectedDelay - 1))
        expect(yield* Queue.size(events)).toBe(0)
        yield* TestClock.adjust("1 milli")
        const [restarted] = yield* takeEvents(events, 1)
        expect(restarted?._tag).toBe("Restarted")
        restartTimes.push(restarted?.at ?? -1)
      }
      expect(restartTimes).toEqual([100, 300, 700])
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("re-runs init on restart, so state is rebuilt from scratch", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const inits = yield* Ref.make(0)
      const behaviour: Behaviour<CounterMsg, number> = {
        ...counter(),
        init: () => Effect.as(Ref.update(inits, (n) => n + 1), 0)
      }
      const ref = yield* system.spawn(behaviour, { name: "reloading", supervision: noJitter(1) })
      yield* ref.tell({ _tag: "Add", n: 7 })
      yield* ref.tell({ _tag: "Crash" })
      yield* TestClock.adjust("100 millis")
      const total = yield* ref.ask<number>((reply) => ({ _tag: "Get", reply }), "1 second")
      expect(total).toBe(0)
      expect(yield* Ref.get(inits)).toBe(2)
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("escalates to the parent after the last restart and applies the parent's stop decision", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const events = yield* system.subscribe
      const decided = yield* Ref.make<ReadonlyArray<string>>([])
      const parent: Behaviour<never, null> = {
        init: () => Effect.succeed(null),
        receive: (state) => Effect.succeed(state),
        supervise: (failure) => Effect.as(Ref.update(decided, (xs) => [...xs, failure.child]), "stop" as const)
      }
      const parentRef = yield* system.spawn(parent, { name: "node" })
      const child = yield* system.spawn(counter(), { name: "space:a", parent: parentRef, supervision: noJitter(1) })
      yield* takeEvents(events, 2)
      yield* child.tell({ _tag: "Crash" })
      yield* TestClock.adjust("100 millis")
      const [restarted] = yield* takeEvents(events, 1)
      expect(restarted?._tag).toBe("Restarted")
      yield* child.tell({ _tag: "Crash" })
      const [escalated, stopped] = yield* takeEvents(events, 2)
      expect(escalated).toMatchObject({ _tag: "Escalated", path: "node/space:a", to: "node" })
      expect(stopped).toMatchObject({ _tag: "Stopped", path: "node/space:a" })
      expect(yield* Ref.get(decided)).toEqual(["node/space:a"])
      expect(yield* child.isAlive).toBe(false)
      expect(yield* parentRef.isAlive).toBe(true)
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("restarts a child afresh when the parent decides restart", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const parent: Behaviour<never, null> = {
        init: () => Effect.succeed(null),
        receive: (state) => Effect.succeed(state),
        supervise: () => Effect.succeed("restart" as const)
      }
      const parentRef = yield* system.spawn(parent, { name: "node" })
      const child = yield* system.spawn(counter(), {
        name: "space:a",
        parent: parentRef,
        supervision: Supervision.escalateAtOnce
      })
      yield* child.tell({ _tag: "Add", n: 3 })
      yield* child.tell({ _tag: "Crash" })
      const total = yield* child.ask<number>((reply) => ({ _tag: "Get", reply }), "1 second")
      expect(total).toBe(0)
      expect(yield* child.isAlive).toBe(true)
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("fails the parent itself when it decides to escalate, which restarts it and its children", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const events = yield* system.subscribe
      const parent: Behaviour<never, null> = {
        init: (ctx) => Effect.as(ctx.spawn(counter(), { name: "child", supervision: Supervision.escalateAtOnce }), null),
        receive: (state) => Effect.succeed(state),
        supervise: () => Effect.succeed("escalate" as const)
      }
      yield* system.spawn(parent, { name: "top", supervision: noJitter(1) })
      yield* takeEvents(events, 2)
      const child = yield* system.lookup<CounterMsg>("top/child").pipe(Effect.flatten)
      yield* child.tell({ _tag: "Crash" })
      const failed = (yield* takeEvents(events, 2)).map((e) => `${e._tag} ${e.path}`)
      expect(failed).toEqual(["Escalated top/child", "Stopped top/child"])
      yield* TestClock.adjust("100 millis")
      const recovered = (yield* takeEvents(events, 2)).map((e) => `${e._tag} ${e.path}`)
      expect(recovered).toEqual(["Restarted top", "Spawned top/child"])
      expect(yield* system.paths).toEqual(["top", "top/child"])
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("stops a parent's children before the parent, last started first", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const events = yield* system.subscribe
      const node = yield* system.spawn(counter(), { name: "node" })
      for (const name of ["space:a", "space:b", "space:c"]) {
        yield* system.spawn(counter(), { name, parent: node })
      }
      yield* takeEvents(events, 4)
      yield* node.stop
      const stops = (yield* takeEvents(events, 4)).map((e) => `${e._tag} ${e.path}`)
      expect(stops).toEqual(["Stopped node/space:c", "Stopped node/space:b", "Stopped node/space:a", "Stopped node"])
      expect(yield* system.paths).toEqual([])
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("finds actors by path and prints the tree", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const node = yield* system.spawn(counter(), { name: "node" })
      yield* system.spawn(counter(), { name: "zone:us-east", parent: node })
      yield* system.spawn(counter(), { name: "space:abc", parent: node })
      const found = yield* system.lookup<CounterMsg>("node/space:abc")
      expect(Option.map(found, (ref) => ref.path)).toEqual(Option.some("node/space:abc"))
      expect(Option.isNone(yield* system.lookup("node/space:nope"))).toBe(true)
      expect(yield* system.tree).toBe("node\n  zone:us-east\n  space:abc")
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("refuses a second actor with the same path", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      yield* system.spawn(counter(), { name: "node" })
      const again = yield* system.spawn(counter(), { name: "node" }).pipe(Effect.flip)
      expect(again._tag).toBe("ActorNameTaken")
    }).pipe(Effect.provide(ActorSystemLive))
  )

  it.scoped("fails asks to a stopped actor with ActorStopped", () =>
    Effect.gen(function* () {
      const system = yield* ActorSystem
      const ref = yield* system.spawn(counter(), { name: "gone" })
      yield* ref.stop
      const error = yield* ref.ask<number>((reply) => ({ _tag: "Get", reply }), "1 second").pipe(Effect.flip)
      expect(error._tag).toBe("ActorStopped")
    }).pipe(Effect.provide(ActorSystemLive))
  )
})
