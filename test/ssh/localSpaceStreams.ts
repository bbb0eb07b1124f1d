/**
 * SpaceStreams for the gateway's protocol tests, with no engine: an exec runs its command as a
 * process on this machine, a TCP stream connects to 127.0.0.1:PORT here, and a space counts as
 * running while its record asks it to. Every request and resize is recorded, so a test sees
 * what the gateway asked for. (The real node and engine are the real-process tests' business.)
 */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { connect } from "node:net"
import type { Readable } from "node:stream"
import { Deferred, Effect, Layer, Stream } from "effect"
import { Spaces } from "../../actors/space/spaces.ts"
import { SpaceNotRunning, StreamAborted, StreamFailed, StreamSpaceNotFound } from "../../effects/streams/spaceStreams.errors.ts"
import { type SpaceStream, SpaceStreams, type StreamChunk } from "../../effects/streams/spaceStreams.ts"
import type { StreamRequest } from "../../effects/streams/streamRequest.ts"
import { makeAgentSockets } from "../../effects/docker/agentSockets.ts"

export interface Recorded {
  readonly requests: Array<{ readonly caller: string; readonly space: string; readonly request: StreamRequest }>
  readonly resizes: Array<{ readonly cols: number; readonly rows: number }>
}

const chunksOf = (readable: Readable, fd: 1 | 2): Stream.Stream<StreamChunk, StreamAborted> =>
  Stream.fromAsyncIterable(readable as AsyncIterable<Buffer>, (error) => new StreamAborted({ reason: String(error) })).pipe(
    Stream.map((bytes) => ({ fd, bytes }))
  )

const writer = (target: NodeJS.WritableStream) => (bytes: Uint8Array) =>
  Effect.async<void, StreamAborted>((resume) => {
    target.write(bytes, (error) => resume(error ? Effect.fail(new StreamAborted({ reason: String(error) })) : Effect.void))
  })

export const localSpaceStreams = (recorded: Recorded) =>
  Layer.effect(
    SpaceStreams,
    Effect.map(Spaces, (spaces) => {
      // The processes run here, so the agent sockets live in a directory of this machine too.
      const agentSockets = makeAgentSockets()
      const agentDir = mkdtempSync(join(tmpdir(), "knot-ssh-agent-"))
      return SpaceStreams.of({
        open: (caller, space, request) =>
          Effect.gen(function*() {
            const view = yield* Effect.mapError(spaces.get(space), () => new StreamSpaceNotFound({ space }))
            if (view.desired !== "running") {
              return yield* new SpaceNotRunning({ space: `${view.owner}/${view.name}`, observed: view.observed })
            }
            recorded.requests.push({ caller: caller.name, space: `${view.owner}/${view.name}`, request })
            if (request._tag === "Logs") return yield* new StreamFailed({ space, reason: "no logs here" })
            if (request._tag === "AgentListen" || request._tag === "AgentConnection") {
              const opened = request._tag === "AgentListen"
                ? agentSockets.listen(space, agentDir, agentDir)
                : agentSockets.claim(space, request.listener, request.connection)
              return yield* Effect.mapError(opened, (error) => new StreamFailed({ space, reason: error.reason }))
            }
            if (request._tag === "Tcp") {
              const socket = yield* Effect.acquireRelease(
                Effect.async<ReturnType<typeof connect>, StreamFailed>((resume) => {
                  const opened = connect(request.port, "127.0.0.1")
                  opened.once("connect", () => resume(Effect.succeed(opened)))
                  opened.once("error", (error) => resume(Effect.fail(new StreamFailed({ space, reason: error.message }))))
                }),
                (socket) => Effect.sync(() => socket.destroy())
              )
              const stream: SpaceStream = {
                output: chunksOf(socket, 1),
                exit: Effect.succeed(undefined),
                write: writer(socket),
                endInput: Effect.sync(() => void socket.end()),
                resize: () => Effect.void
              }
              return stream
            }
            const child = yield* Effect.acquireRelease(
              Effect.sync(() => spawn(request.command[0], request.command.slice(1), { env: { PATH: process.env.PATH ?? "", ...request.env } })),
              (child) => Effect.sync(() => void child.kill("SIGKILL"))
            )
            const exited = yield* Deferred.make<number>()
            child.once("close", (code, signal) => Deferred.unsafeDone(exited, Effect.succeed(code ?? (signal === null ? 0 : 128))))
            const stream: SpaceStream = {
              output: Stream.merge(chunksOf(child.stdout, 1), chunksOf(child.stderr, 2)),
              exit: Deferred.await(exited),
              write: writer(child.stdin),
              endInput: Effect.sync(() => void child.stdin.end()),
              resize: (cols, rows) => Effect.sync(() => void recorded.resizes.push({ cols, rows }))
            }
            return stream
          })
      })
    })
  )
