import { NodeContext } from "@effect/platform-node"
import { Context, Effect, Exit, Layer, Logger, LogLevel, ManagedRuntime, Queue, Scope, Stream } from "effect"
import { afterAll, beforeAll, bench, describe } from "vitest"
import { HyperswarmTransport } from "../../transport/hyperswarm/index.ts"
import type { TransportShape } from "../../transport/transport.ts"
import { Transport } from "../../transport/transport.ts"
import { makeDataDir, newClusterKey, Testnet } from "../transport/hyperswarmHarness.ts"
import { scaled } from "./benchScale.ts"

const runtime = ManagedRuntime.make(Layer.merge(Testnet.layer, Logger.minimumLogLevel(LogLevel.Warning)))

const startTransport = (clusterKey: Buffer) =>
  Effect.gen(function* () {
    const { bootstrap } = yield* Testnet
    const dataDir = yield* makeDataDir
    const context = yield* Layer.build(
      HyperswarmTransport.layer({ clusterKey, dataDir, bootstrap }).pipe(Layer.provide(NodeContext.layer))
    )
    return Context.get(context, Transport)
  })

/** Completes when `transport` has seen each of `peers` come up. */
const meshed = (transport: TransportShape, peers: ReadonlyArray<string>) =>
  transport.peerEvents.pipe(
    Stream.scan(new Set<string>(), (up, event) => {
      const next = new Set(up)
      if (event._tag === "PeerUp") next.add(event.peer)
      else next.delete(event.peer)
      return next
    }),
    Stream.takeUntil((up) => peers.every((peer) => up.has(peer))),
    Stream.runDrain
  )

const meshOfThree = Effect.gen(function* () {
  const clusterKey = newClusterKey()
  const transports = yield* Effect.all([1, 2, 3].map(() => startTransport(clusterKey)))
  const ids = transports.map((transport) => transport.self)
  yield* Effect.all(
    transports.map((transport) => meshed(transport, ids.filter((id) => id !== transport.self))),
    { concurrency: "unbounded" }
  )
})

/** Two meshed transports; `b` echoes every frame back to its sender. */
let pair: {
  readonly scope: Scope.CloseableScope
  readonly a: TransportShape
  /** b's id, which its key gives it. */
  readonly b: string
  readonly replies: Queue.Dequeue<Uint8Array>
}

beforeAll(async () => {
  pair = await runtime.runPromise(
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const clusterKey = newClusterKey()
      const { a, b, replies } = yield* Effect.gen(function* () {
        const a = yield* startTransport(clusterKey)
        const b = yield* startTransport(clusterKey)
        yield* Effect.all([meshed(a, [b.self]), meshed(b, [a.self])], { concurrency: "unbounded" })
        yield* b.incoming.pipe(
          Stream.runForEach((frame) => b.send(frame.from, frame.bytes)),
          Effect.forkScoped
        )
        const replies = yield* Queue.unbounded<Uint8Array>()
        yield* a.incoming.pipe(
          Stream.runForEach((frame) => Queue.offer(replies, frame.bytes)),
          Effect.forkScoped
        )
        return { a, b: b.self, replies }
      }).pipe(Scope.extend(scope))
      return { scope, a, b, replies }
    })
  )
})

afterAll(async () => {
  await runtime.runPromise(Scope.close(pair.scope, Exit.void))
  await runtime.dispose()
})

const smallFrame = new Uint8Array(64)

describe("Hyperswarm transport on a loopback DHT", () => {
  bench("three transports start and mesh", async () => {
    await runtime.runPromise(Effect.scoped(meshOfThree))
  }, {
    iterations: scaled(5, 1),
    time: 0,
    warmupIterations: 0,
    warmupTime: 0
  })

  bench("round trip of a 64-byte frame", async () => {
    await runtime.runPromise(pair.a.send(pair.b, smallFrame).pipe(Effect.zipRight(Queue.take(pair.replies))))
  }, scaled({}, { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 }))
})
