/**
 * The router's own rules, on one node with an engine side made in the test: how many streams a
 * user may hold, what an idle stream comes to, and that a slow reader holds the engine back.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Duration, Effect, Fiber, Layer, Queue, type Scope, Stream, TestClock } from "effect"
import { spaceStatusKind } from "../../actors/space/spaceRecord.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import { ContainerStreams } from "../../effects/container/containerStreams.ts"
import { AccountsLive } from "../../effects/http/auth/accounts.ts"
import { spaceStreamsLayer } from "../../effects/streams/spaceStreams.live.ts"
import { SpaceStreams, type StreamChunk } from "../../effects/streams/spaceStreams.ts"
import { Store } from "../../storage/store.ts"
import { nodeServicesOf, testNodeId } from "../http/apiHarness.ts"
import { Templates } from "../../actors/node/templates.ts"

/** An engine whose every stream takes what the test offers only when pulled, and counts what it took. */
const testEngine = (produced: { count: number }, chunks: Queue.Queue<StreamChunk>) =>
  Layer.succeed(ContainerStreams, {
    open: () =>
      Effect.succeed({
        output: Stream.repeatEffect(Effect.tap(Queue.take(chunks), () => Effect.sync(() => produced.count++))),
        exit: Effect.succeed(0),
        write: () => Effect.void,
        endInput: Effect.void,
        resize: () => Effect.void
      })
  })

const limits = { maxPerUser: 2, idleTimeout: Duration.minutes(10) }

const withRouter = <A, E>(
  effect: Effect.Effect<A, E, SpaceStreams | Spaces | Store | Templates | Scope.Scope>,
  produced = { count: 0 },
  chunks?: Queue.Queue<StreamChunk>
) =>
  Effect.gen(function*() {
    const queue = chunks ?? (yield* Queue.unbounded<StreamChunk>())
    const router = spaceStreamsLayer({ self: testNodeId, ...limits }).pipe(
      Layer.provide(Layer.merge(testEngine(produced, queue), AccountsLive))
    )
    return yield* Effect.provide(effect, router.pipe(Layer.provideMerge(nodeServicesOf())))
  })

/** A space of `owner` that its node reports running. */
const runningSpace = (owner: string) =>
  Effect.gen(function*() {
    const templates = yield* Templates
    yield* templates.put({ name: "web", image: "busybox", env: {}, volumes: [], zones: [] })
    const view = yield* (yield* Spaces).create({ name: "dev", template: "web", owner })
    yield* (yield* Store).put(spaceStatusKind, view.id, { observed: "running", containerId: "c-1", handled: view.generation })
    return view.id
  })

const ann = { id: "ann", name: "ann", role: "user" as const }

describe("the space stream router", () => {
  it.scoped("refuses a user's stream past the limit, saying how many they hold, and takes one again once one closes", () =>
    withRouter(Effect.gen(function*() {
      const streams = yield* SpaceStreams
      const id = yield* runningSpace("ann")
      const exec = { _tag: "Exec", command: ["sh"], tty: true } as const
      const first = yield* Effect.forkScoped(Effect.scoped(Effect.zipRight(streams.open(ann, id, exec), Effect.never)))
      const held = yield* Effect.forkScoped(Effect.scoped(Effect.zipRight(streams.open(ann, id, exec), Effect.never)))
      yield* Effect.yieldNow()
      const refused = yield* Effect.flip(Effect.scoped(streams.open(ann, id, exec)))
      expect(refused.message).toBe("ann has 2 streams open, the most a node allows one user; close one (a shell, a forward) and retry")
      yield* Fiber.interrupt(first)
      yield* Effect.scoped(streams.open(ann, id, exec))
      yield* Fiber.interrupt(held)
    })))

  it.scoped("refuses another user's space and lets an admin in", () =>
    withRouter(Effect.gen(function*() {
      const streams = yield* SpaceStreams
      const id = yield* runningSpace("ann")
      const logs = { _tag: "Logs", follow: false } as const
      const refused = yield* Effect.flip(Effect.scoped(streams.open({ id: "bob", name: "bob", role: "user" }, id, logs)))
      expect(refused._tag).toBe("StreamForbidden")
      yield* Effect.scoped(streams.open({ id: "root", name: "root", role: "admin" }, id, logs))
    })))

  it.scoped("closes a stream that carries nothing for the idle timeout, saying why", () =>
    withRouter(Effect.gen(function*() {
      const streams = yield* SpaceStreams
      const id = yield* runningSpace("ann")
      const stream = yield* streams.open(ann, id, { _tag: "Tcp", port: 80 })
      const reading = yield* Effect.fork(Stream.runDrain(stream.output))
      yield* TestClock.adjust(Duration.minutes(11))
      const error = yield* Effect.flip(Fiber.join(reading))
      expect(error.message).toBe("closed after 10m without input or output")
    })))

  it.scoped("pulls nothing from the engine that its reader has not asked for", () =>
    Effect.gen(function*() {
      const produced = { count: 0 }
      const chunks = yield* Queue.unbounded<StreamChunk>()
      yield* Queue.offerAll(chunks, Array.from({ length: 1000 }, () => ({ fd: 1 as const, bytes: new Uint8Array(1024) })))
      yield* withRouter(Effect.gen(function*() {
        const streams = yield* SpaceStreams
        const id = yield* runningSpace("ann")
        const stream = yield* streams.open(ann, id, { _tag: "Logs", follow: true })
        const taken = yield* Deferred.make<void>()
        const reading = yield* Effect.fork(
          Stream.runForEach(Stream.take(stream.output, 3), () => Effect.void).pipe(Effect.zipRight(Deferred.succeed(taken, undefined)))
        )
        yield* Deferred.await(taken)
        yield* Fiber.join(reading)
        expect(produced.count).toBeLessThan(10)
        expect(Chunk.size(yield* Queue.takeAll(chunks))).toBeGreaterThan(990)
      }), produced, chunks)
    }))
})
