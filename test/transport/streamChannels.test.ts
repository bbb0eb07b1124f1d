import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Scope, Stream } from "effect"
import type { ChannelMessage } from "../../transport/streams/peerStreams.ts"
import { newClusterKey, startNode, type TestNode, Testnet, waitForPeers } from "./hyperswarmHarness.ts"

const id = (node: TestNode) => node.transport.self

const linkedPair = Effect.gen(function*() {
  const clusterKey = newClusterKey()
  const a = yield* startNode({ clusterKey })
  const b = yield* startNode({ clusterKey })
  yield* waitForPeers(a, [id(b)])
  yield* waitForPeers(b, [id(a)])
  return { a, b }
})

const dataOf = (messages: Chunk.Chunk<ChannelMessage>) =>
  Buffer.concat(Chunk.toReadonlyArray(messages).flatMap((message) => (message._tag === "Data" ? [message.bytes] : [])))

layer(Testnet.layer, { excludeTestServices: true })("stream channels between linked nodes", (it) => {
  it.scoped("carry the opener's header, data and control messages in order, and end when closed", () =>
    Effect.gen(function*() {
      const { a, b } = yield* linkedPair
      const channel = yield* a.streams.open(id(b), "hello header")
      const accepted = yield* Stream.runHead(b.streams.accepted).pipe(Effect.flatten)
      expect(accepted.header).toBe("hello header")
      expect(accepted.channel.peer).toBe(id(a))
      yield* channel.sendData(Buffer.from("one "))
      yield* channel.sendControl("{\"t\":\"resize\"}")
      yield* channel.sendData(Buffer.from("two"))
      yield* channel.close
      const messages = yield* Stream.runCollect(accepted.channel.received)
      expect(Chunk.toReadonlyArray(messages).map((m) => (m._tag === "Data" ? Buffer.from(m.bytes).toString() : m.text)))
        .toEqual(["one ", "{\"t\":\"resize\"}", "two"])
    }))

  it.scoped("hold a sender at the window while the receiver does not read, and deliver every byte once it does", () =>
    Effect.gen(function*() {
      const { a, b } = yield* linkedPair
      const channel = yield* a.streams.open(id(b), "flow")
      const accepted = yield* Stream.runHead(b.streams.accepted).pipe(Effect.flatten)
      const payload = Buffer.alloc(4 * 1024 * 1024, 7)
      let sent = 0
      const sending = yield* Effect.fork(
        Effect.forEach(
          Array.from({ length: payload.length / 65536 }, (_, i) => payload.subarray(i * 65536, (i + 1) * 65536)),
          (piece) => Effect.zipRight(channel.sendData(piece), Effect.sync(() => (sent += piece.length))),
          { discard: true }
        ).pipe(Effect.zipRight(channel.close))
      )
      yield* Effect.sleep("500 millis")
      // Nobody reads on b: the sender stops at the window (256 KiB), far short of 4 MiB.
      expect(sent).toBeLessThanOrEqual(256 * 1024)
      const received = yield* Stream.runCollect(accepted.channel.received)
      yield* Fiber.join(sending)
      expect(dataOf(received).equals(payload)).toBe(true)
    }))

  it.scoped("break on the other side when one side abandons the channel without closing it", () =>
    Effect.gen(function*() {
      const { a, b } = yield* linkedPair
      const scope = yield* Scope.make()
      yield* Scope.extend(a.streams.open(id(b), "abandoned"), scope)
      const accepted = yield* Stream.runHead(b.streams.accepted).pipe(Effect.flatten)
      yield* Scope.close(scope, Exit.void)
      const outcome = yield* Effect.either(Stream.runDrain(accepted.channel.received))
      expect(outcome._tag).toBe("Left")
    }))

  it.scoped("break within seconds when the peer's process is gone", () =>
    Effect.gen(function*() {
      const { a, b } = yield* linkedPair
      const channel = yield* a.streams.open(id(b), "doomed")
      yield* Stream.runHead(b.streams.accepted)
      const started = Date.now()
      yield* b.stop
      const outcome = yield* Effect.either(Stream.runDrain(channel.received)).pipe(Effect.timeout("10 seconds"))
      console.log(`a channel broke ${Date.now() - started} ms after its peer stopped`)
      expect(outcome._tag).toBe("Left")
    }))

  it.scoped("cannot be opened to a node this one has no link to", () =>
    Effect.gen(function*() {
      const { a } = yield* linkedPair
      const error = yield* Effect.flip(a.streams.open("n-000000000000", "nowhere"))
      expect(error.reason).toBe("no link to node n-000000000000")
    }))
})
