/**
 * The two ends of a space stream carried on a peer channel: `awaitOpened` makes the opener's
 * `SpaceStream` out of the channel once the far side has answered, and `serveOn` runs a
 * `SpaceStream` (the engine's, or the next hop's) for the peer that opened the channel.
 * A node in the middle does both, so every hop has its own window and its own liveness.
 */
import { Deferred, Effect, Either, Exit, Fiber, Option, Stream } from "effect"
import type { ChannelBroken, ChannelMessage, PeerChannel } from "../../transport/streams/peerStreams.ts"
import { OwnerUnreachable, StreamAborted, type StreamOpenError } from "./spaceStreams.errors.ts"
import type { SpaceStream, StreamChunk } from "./spaceStreams.ts"
import { decodeChunk, decodeControl, encodeChunk, encodeControl, type StreamControl } from "./streamWire.ts"

const aborted = (error: ChannelBroken) => new StreamAborted({ reason: error.reason })

const controlOf = (message: ChannelMessage): StreamControl | string =>
  message._tag === "Control" ? Either.getOrElse(decodeControl(message.text), (reason) => `unreadable control: ${reason}`) : "data"

/** The opener's side: waits for `Opened` (or the reason it was refused), then reads the channel as a stream. */
export const awaitOpened = (
  channel: PeerChannel,
  where: { readonly space: string; readonly node: string }
): Effect.Effect<SpaceStream, StreamOpenError> =>
  Effect.gen(function*() {
    const unreachable = (detail: string) => new OwnerUnreachable({ space: where.space, node: where.node, detail })
    const first = yield* Effect.mapError(channel.next, (error) => unreachable(error.reason))
    if (first === undefined) return yield* unreachable(`node ${channel.peer} closed the stream before answering`)
    const answer = controlOf(first)
    if (typeof answer === "string") return yield* unreachable(`node ${channel.peer} answered with ${answer}`)
    if (answer._tag === "Refused") return yield* Effect.fail(answer.error)
    if (answer._tag !== "Opened") return yield* unreachable(`node ${channel.peer} answered ${answer._tag}`)

    const exit = yield* Deferred.make<number | undefined, StreamAborted>()
    const nextChunk: Effect.Effect<StreamChunk, Option.Option<StreamAborted>> = Effect.gen(function*() {
      while (true) {
        const message = yield* Effect.mapError(channel.next, (error) => Option.some(aborted(error)))
        if (message === undefined) {
          yield* Deferred.succeed(exit, undefined)
          return yield* Effect.fail(Option.none())
        }
        if (message._tag === "Data") {
          const chunk = decodeChunk(message.bytes)
          if (chunk !== undefined) return chunk
          continue
        }
        const control = controlOf(message)
        if (typeof control === "string") continue
        if (control._tag === "Exit") {
          yield* Deferred.succeed(exit, control.code)
          return yield* Effect.fail(Option.none())
        }
        if (control._tag === "Aborted") return yield* Effect.fail(Option.some(new StreamAborted({ reason: control.reason })))
      }
    })
    const output = Stream.repeatEffectOption(nextChunk).pipe(
      Stream.tapError((error) => Deferred.fail(exit, error))
    )
    const stream: SpaceStream = {
      output,
      exit: Deferred.await(exit),
      write: (bytes) => Effect.mapError(channel.sendData(bytes), aborted),
      endInput: Effect.ignore(channel.sendControl(encodeControl({ _tag: "Eof" }))),
      resize: (cols, rows) => Effect.ignore(channel.sendControl(encodeControl({ _tag: "Resize", cols, rows })))
    }
    return stream
  })

/**
 * The far side: tells the opener it is open, carries input to `stream` and its output back,
 * then its exit. Returns when the output is done or either side breaks; the caller's scope
 * then closes the stream and the channel.
 */
export const serveOn = (channel: PeerChannel, stream: SpaceStream): Effect.Effect<void> =>
  Effect.gen(function*() {
    yield* channel.sendControl(encodeControl({ _tag: "Opened" }))
    const input = Effect.gen(function*() {
      while (true) {
        const message = yield* channel.next
        if (message === undefined) return
        if (message._tag === "Data") {
          // Input the far end no longer takes (a command that closed its stdin) is dropped; its output goes on.
          yield* Effect.ignore(stream.write(message.bytes))
          continue
        }
        const control = controlOf(message)
        if (typeof control === "string") continue
        if (control._tag === "Eof") yield* stream.endInput
        if (control._tag === "Resize") yield* stream.resize(control.cols, control.rows)
      }
    })
    const output = Effect.gen(function*() {
      const finished = yield* Effect.either(
        Stream.runForEach(stream.output, (chunk) => channel.sendData(encodeChunk(chunk)))
      )
      if (Either.isLeft(finished)) {
        if (finished.left._tag === "ChannelBroken") return
        yield* channel.sendControl(encodeControl({ _tag: "Aborted", reason: finished.left.reason }))
        return yield* channel.close
      }
      const code = yield* Effect.either(stream.exit)
      yield* channel.sendControl(
        encodeControl(Either.isRight(code)
          ? { _tag: "Exit", ...(code.right === undefined ? {} : { code: code.right }) }
          : { _tag: "Aborted", reason: code.left.reason })
      )
      yield* channel.close
    })
    // Input that breaks (the opener went away) ends the whole stream; input that ends normally does not.
    const inputFiber = yield* Effect.fork(input)
    const outputFiber = yield* Effect.fork(output)
    yield* Effect.raceFirst(
      Fiber.join(outputFiber),
      Fiber.await(inputFiber).pipe(Effect.flatMap((done) => (Exit.isFailure(done) ? Effect.void : Effect.never)))
    )
    yield* Fiber.interrupt(inputFiber)
    yield* Fiber.interrupt(outputFiber)
  }).pipe(Effect.ignore)
