/**
 * SSH agent sockets inside containers, on the node that owns them. The docker driver gives every
 * container a read-only bind mount of a directory of its own on this host at AGENT_DIR; a socket
 * made there by the node is a socket inside the container, so a process in the space reaches
 * the agent with nothing in the image. Each connection a process makes waits, announced on the
 * listener's stream, until the node that holds the SSH session claims it with a stream of its own
 * and carries it to the person's agent.
 */
import { randomBytes } from "node:crypto"
import { closeSync, openSync } from "node:fs"
import { chmod, rm } from "node:fs/promises"
import { createServer, type Socket } from "node:net"
import { join } from "node:path"
import { NodeStream } from "@effect/platform-node"
import { Effect, Queue, Stream } from "effect"
import { ContainerStreamFailed } from "../container/containerStreams.ts"
import { StreamAborted } from "../streams/spaceStreams.errors.ts"
import type { SpaceStream, StreamChunk } from "../streams/spaceStreams.ts"

/** Where a container sees its agent sockets. */
export const AGENT_DIR = "/run/knot/agent"

/** Connections a process has made and nobody has claimed yet; past it, more are closed at once. */
const MAX_WAITING = 16
/**
 * A socket's address holds 108 bytes, and a data directory's path may be longer; past that, the
 * socket is made through /proc's link to the directory, whose path is short. (On close, libuv
 * unlinks the name it bound, which by then names nothing; the socket's own path is removed here.)
 */
const SUN_PATH_ROOM = 100
/** How long a connection waits to be claimed before it is closed (its SSH client has gone, say). */
const CLAIM_WITHIN_MS = 10_000

interface Waiting {
  readonly socket: Socket
  readonly unclaimed: NodeJS.Timeout
}

interface Listener {
  readonly containerId: string
  readonly waiting: Map<number, Waiting>
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** A unix socket connection as a space stream: its bytes out on fd 1, writes in, a half-close for EOF. */
const socketStream = (socket: Socket): SpaceStream => ({
  output: Stream.map(
    NodeStream.fromReadable<StreamAborted, Uint8Array>(
      () => socket,
      (error) => new StreamAborted({ reason: `the agent connection broke: ${describe(error)}` })
    ),
    (bytes): StreamChunk => ({ fd: 1, bytes })
  ),
  exit: Effect.succeed(undefined),
  write: (bytes) =>
    Effect.async<void, StreamAborted>((resume) => {
      if (socket.destroyed || socket.writableEnded) {
        return resume(Effect.fail(new StreamAborted({ reason: "the agent connection is closed" })))
      }
      socket.write(bytes, (error) =>
        resume(error ? Effect.fail(new StreamAborted({ reason: `writing to the agent connection: ${describe(error)}` })) : Effect.void))
    }),
  endInput: Effect.sync(() => void socket.end()),
  resize: () => Effect.void
})

export const makeAgentSockets = () => {
  const listeners = new Map<string, Listener>()

  /** A socket in `hostDir` (seen in the space as `dirInSpace`), for as long as the scope lasts. */
  const listen = (containerId: string, hostDir: string, dirInSpace = AGENT_DIR) =>
    Effect.gen(function*() {
      const id = randomBytes(16).toString("hex")
      const name = `agent-${id}.sock`
      const path = join(hostDir, name)
      const announced = yield* Effect.acquireRelease(Queue.unbounded<number>(), Queue.shutdown)
      const listener: Listener = { containerId, waiting: new Map() }
      let next = 0
      const server = createServer((socket) => {
        if (listener.waiting.size >= MAX_WAITING) return socket.destroy()
        const number = ++next
        listener.waiting.set(number, { socket, unclaimed: setTimeout(() => socket.destroy(), CLAIM_WITHIN_MS) })
        socket.once("close", () => {
          const waiting = listener.waiting.get(number)
          if (waiting?.socket !== socket) return
          clearTimeout(waiting.unclaimed)
          listener.waiting.delete(number)
        })
        Queue.unsafeOffer(announced, number)
      })
      yield* Effect.acquireRelease(
        Effect.async<void, ContainerStreamFailed>((resume) => {
          const directory = path.length < SUN_PATH_ROOM ? undefined : openSync(hostDir, "r")
          const closeDirectory = () => directory !== undefined && closeSync(directory)
          server.once("error", (error) => {
            closeDirectory()
            resume(Effect.fail(new ContainerStreamFailed({ reason: `cannot make the agent socket in ${hostDir}: ${describe(error)}` })))
          })
          server.listen(directory === undefined ? path : `/proc/self/fd/${directory}/${name}`, () => {
            closeDirectory()
            resume(Effect.void)
          })
        }),
        () =>
          Effect.promise(async () => {
            listeners.delete(id)
            for (const waiting of listener.waiting.values()) waiting.socket.destroy()
            await new Promise<void>((done) => server.close(() => done()))
            await rm(path, { force: true })
          })
      )
      // Whoever runs the processes in the space (root or not) may connect; the directory is theirs alone.
      yield* Effect.tryPromise({
        try: () => chmod(path, 0o666),
        catch: (error) => new ContainerStreamFailed({ reason: `cannot open the agent socket to the space: ${describe(error)}` })
      })
      listeners.set(id, listener)
      const lines = Stream.concat(
        Stream.make(`listener ${id} ${dirInSpace}/${name}\n`),
        Stream.map(Stream.fromQueue(announced), (number) => `connection ${number}\n`)
      )
      const stream: SpaceStream = {
        output: Stream.map(Stream.encodeText(lines), (bytes): StreamChunk => ({ fd: 1, bytes })),
        exit: Effect.succeed(undefined),
        write: () => Effect.void,
        endInput: Effect.void,
        resize: () => Effect.void
      }
      return stream
    })

  /** The connection `number` made to listener `id` of this container, taken once. */
  const claim = (containerId: string, id: string, number: number) =>
    Effect.gen(function*() {
      const listener = listeners.get(id)
      const waiting = listener?.containerId === containerId ? listener.waiting.get(number) : undefined
      if (listener === undefined || waiting === undefined) {
        return yield* new ContainerStreamFailed({ reason: "that agent connection is gone (closed, or claimed already)" })
      }
      listener.waiting.delete(number)
      clearTimeout(waiting.unclaimed)
      yield* Effect.addFinalizer(() => Effect.sync(() => waiting.socket.destroy()))
      return socketStream(waiting.socket)
    })

  return { listen, claim }
}
