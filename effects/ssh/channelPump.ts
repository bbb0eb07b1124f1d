/**
 * A space stream on an SSH channel, both ways, without unbounded buffers: each output chunk
 * waits for the channel to take it (its window, then its socket), and the channel is paused
 * while a write into the space is pending.
 */
import type { Writable } from "node:stream"
import { Effect, Either, Runtime, Stream } from "effect"
import type { ServerChannel } from "ssh2"
import type { SpaceStream } from "../streams/spaceStreams.ts"

/** How the stream ended: an exit code (exec), the far end's EOF (logs, TCP), or a failure to tell. */
export type PumpEnd =
  | { readonly _tag: "Exited"; readonly code: number | undefined }
  | { readonly _tag: "Failed"; readonly message: string }
  | { readonly _tag: "ClientGone" }

const writeTo = (target: Writable, bytes: Uint8Array) =>
  Effect.async<void>((resume) => {
    if (target.destroyed || target.writableEnded) return resume(Effect.void)
    if (target.write(bytes)) return resume(Effect.void)
    const done = () => {
      target.off("drain", done)
      target.off("close", done)
      resume(Effect.void)
    }
    target.on("drain", done)
    target.on("close", done)
  })

export interface PumpOptions {
  /**
   * Whether the client's EOF closes the stream's input. Not on a terminal: there ^D is a byte
   * the shell reads, and the engine ends a TTY exec whose input closes, output and all.
   */
  readonly forwardEof: boolean
}

export const pumpChannel = (channel: ServerChannel, stream: SpaceStream, options: PumpOptions): Effect.Effect<PumpEnd> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    const run = Runtime.runPromise(runtime)
    const clientGone = Effect.async<PumpEnd>((resume) => {
      if (channel.destroyed) return resume(Effect.succeed({ _tag: "ClientGone" }))
      channel.once("close", () => resume(Effect.succeed({ _tag: "ClientGone" })))
    })
    channel.on("data", (data: Buffer) => {
      channel.pause()
      void run(Effect.ignore(stream.write(data))).then(() => channel.resume())
    })
    if (options.forwardEof) channel.once("end", () => void run(stream.endInput))
    const output = Effect.gen(function*() {
      const finished = yield* Effect.either(
        Stream.runForEach(stream.output, (chunk) => writeTo(chunk.fd === 2 ? channel.stderr : channel, chunk.bytes))
      )
      if (Either.isLeft(finished)) return { _tag: "Failed", message: finished.left.message } as const
      const code = yield* Effect.either(stream.exit)
      return Either.isLeft(code)
        ? { _tag: "Failed", message: code.left.message } as const
        : { _tag: "Exited", code: code.right } as const
    })
    return yield* Effect.raceFirst(output, clientGone)
  })
