/**
 * A space stream on a WebSocket. Binary messages to the client are output: one byte of fd
 * (1 stdout, 2 stderr), then the bytes; binary messages from the client are input. Text
 * messages are JSON control: from the client `{"type":"resize","cols":C,"rows":R}` and
 * `{"type":"eof"}`; to the client `{"type":"exit","code":N}` (then a normal close) or
 * `{"type":"error","message":"..."}` (then close code 4000, or 4401 when the browser session
 * that opened it ended).
 *
 * Nothing is buffered without bound: output waits while the socket holds a megabyte unsent,
 * and the socket is paused while a write into the space is pending.
 */
import { Effect, Either, Schema, Stream } from "effect"
import type WebSocket from "ws"
import type { SpaceStream } from "../../streams/spaceStreams.ts"

export const CLOSE_NORMAL = 1000
/** The node is stopping. */
export const CLOSE_GOING_AWAY = 1001
export const CLOSE_STREAM_FAILED = 4000
/** The browser session the stream was opened by ended (revoked, expired, signed out). */
export const CLOSE_SESSION_ENDED = 4401

const ClientControl = Schema.parseJson(Schema.Union(
  Schema.Struct({ type: Schema.Literal("resize"), cols: Schema.Int, rows: Schema.Int }),
  Schema.Struct({ type: Schema.Literal("eof") })
))
const decodeClientControl = Schema.decodeUnknownEither(ClientControl)

/** Output the socket may hold unsent before the stream waits: enough to keep the connection busy. */
const OUTPUT_HIGH_WATER = 1024 * 1024

const sendOn = (socket: WebSocket, data: Uint8Array | string) =>
  Effect.async<void>((resume) => {
    if (socket.readyState !== socket.OPEN) return resume(Effect.void)
    if (socket.bufferedAmount < OUTPUT_HIGH_WATER) {
      socket.send(data)
      return resume(Effect.void)
    }
    socket.send(data, () => resume(Effect.void))
  })

/** Runs `stream` on `socket` until the stream ends or the client goes; the caller's scope then closes the stream. */
export const pumpWebSocket = (socket: WebSocket, stream: SpaceStream): Effect.Effect<void> =>
  Effect.gen(function*() {
    const clientGone = Effect.async<void>((resume) => {
      if (socket.readyState === socket.CLOSED || socket.readyState === socket.CLOSING) return resume(Effect.void)
      socket.once("close", () => resume(Effect.void))
    })
    // Messages go into the space one at a time, in order; the socket pauses while one is pending.
    const inbound: Array<{ readonly data: Buffer; readonly binary: boolean }> = []
    let writing = false
    const runtime = yield* Effect.runtime<never>()
    const drain = () => {
      if (writing) return
      const next = inbound.shift()
      if (next === undefined) {
        socket.resume()
        return
      }
      writing = true
      const step = next.binary
        ? Effect.ignore(stream.write(next.data))
        : Either.match(decodeClientControl(next.data.toString("utf8")), {
          onLeft: () => Effect.void,
          onRight: (control) => (control.type === "eof" ? stream.endInput : stream.resize(control.cols, control.rows))
        })
      Effect.runFork(Effect.provide(step, runtime.context)).addObserver(() => {
        writing = false
        drain()
      })
    }
    socket.on("message", (data: Buffer, binary: boolean) => {
      inbound.push({ data, binary })
      socket.pause()
      drain()
    })
    const output = Effect.gen(function*() {
      const finished = yield* Effect.either(
        Stream.runForEach(stream.output, (chunk) => {
          const framed = new Uint8Array(chunk.bytes.byteLength + 1)
          framed[0] = chunk.fd
          framed.set(chunk.bytes, 1)
          return sendOn(socket, framed)
        })
      )
      const code = Either.isRight(finished) ? yield* Effect.either(stream.exit) : Either.left(finished.left)
      if (Either.isLeft(code)) {
        yield* sendOn(socket, JSON.stringify({ type: "error", message: code.left.message }))
        socket.close(CLOSE_STREAM_FAILED, "stream failed")
        return
      }
      yield* sendOn(socket, JSON.stringify(code.right === undefined ? { type: "exit" } : { type: "exit", code: code.right }))
      socket.close(CLOSE_NORMAL)
    })
    yield* Effect.raceFirst(output, clientGone)
  })
