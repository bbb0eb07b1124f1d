/**
 * Space streams on the Docker engine: exec and logs ride the engine's own hijacked and
 * streamed HTTP connections, so nothing has to be in the image but the command run. A TCP
 * connection to a port inside the container is an exec of `nc 127.0.0.1 PORT` there: the
 * engine API has no port forward, and the containers may have no network a node can reach.
 */
import type { Duplex } from "node:stream"
import { NodeStream } from "@effect/platform-node"
import Docker from "dockerode"
import { Deferred, Duration, Effect, Layer, Schedule, Stream } from "effect"
import { ContainerStreamFailed, ContainerStreams, type ContainerStreamsShape } from "../container/containerStreams.ts"
import { StreamAborted } from "../streams/spaceStreams.errors.ts"
import type { SpaceStream, StreamChunk } from "../streams/spaceStreams.ts"
import type { ExecRequest, LogsRequest, TcpRequest } from "../streams/streamRequest.ts"
import { AGENT_DIR, makeAgentSockets } from "./agentSockets.ts"
import { defaultSocketPath } from "./dockerDriver.ts"
import { engineRequest } from "./dockerRequest.ts"
import { makeFrameReader } from "./engineFrames.ts"
import { hangUpIfRunning, newExecMark } from "./execHangup.ts"

export interface DockerStreamsOptions {
  readonly socketPath?: string
  /** How long the engine may take to set a stream up. */
  readonly requestTimeout?: Duration.DurationInput
}

/** What the engine says when the command of an exec does not exist or cannot run. */
const CANNOT_EXECUTE = new Set([126, 127])
const END_OF_TRANSMISSION = Uint8Array.of(4)
/** Of a port connection's stderr, enough to say why it failed. */
const STDERR_KEPT = 4096

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

const make = (options: DockerStreamsOptions): ContainerStreamsShape => {
  const socket = options.socketPath ?? defaultSocketPath
  const timeout = Duration.decode(options.requestTimeout ?? "30 seconds")
  const docker = new Docker({ socketPath: socket })

  const call = <A>(operation: string, run: (signal: AbortSignal) => Promise<A>) =>
    engineRequest(socket, operation, timeout, run).pipe(
      Effect.mapError((error) =>
        new ContainerStreamFailed({
          reason: error._tag === "EngineRefusal" ? error.reason : error.message
        })
      )
    )

  /** The output of an engine connection, read only as fast as it is pulled. */
  const outputOf = (connection: Duplex, tty: boolean): Stream.Stream<StreamChunk, StreamAborted> => {
    const bytes = NodeStream.fromReadable<StreamAborted, Uint8Array>(
      () => connection,
      (error) => new StreamAborted({ reason: `the engine's stream broke: ${describe(error)}` })
    )
    if (tty) return Stream.map(bytes, (chunk): StreamChunk => ({ fd: 1, bytes: chunk }))
    const reader = makeFrameReader()
    return Stream.mapConcat(bytes, reader.push)
  }

  const writeTo = (connection: Duplex) => (bytes: Uint8Array) =>
    Effect.async<void, StreamAborted>((resume) => {
      if (connection.destroyed || connection.writableEnded) {
        return resume(Effect.fail(new StreamAborted({ reason: "the stream's input is closed" })))
      }
      connection.write(bytes, (error) =>
        resume(error ? Effect.fail(new StreamAborted({ reason: `writing to the engine: ${describe(error)}` })) : Effect.void))
    })

  const exitCodeOf = (exec: Docker.Exec) =>
    Effect.tryPromise(() => exec.inspect()).pipe(
      Effect.flatMap((info) =>
        info.Running || info.ExitCode === null ? Effect.fail("running" as const) : Effect.succeed(info.ExitCode)),
      // The output ends as the process does; the engine may record its exit a moment later.
      Effect.retry(Schedule.intersect(Schedule.spaced("20 millis"), Schedule.recurs(100))),
      Effect.mapError(() => new StreamAborted({ reason: "the engine did not report the command's exit" }))
    )

  /**
   * Starts an exec attached to stdin, stdout and stderr. The connection closes with the scope,
   * and a command still running then is hung up (execHangup.ts).
   */
  const startExec = (containerId: string, request: ExecRequest) =>
    Effect.gen(function*() {
      const container = docker.getContainer(containerId)
      const mark = newExecMark()
      const exec = yield* call("exec", () =>
        container.exec({
          Cmd: [...request.command],
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
          Tty: request.tty,
          Env: [...Object.entries(request.env ?? {}).map(([key, value]) => `${key}=${value}`), mark]
        }))
      const connection = yield* Effect.acquireRelease(
        call("exec start", () => exec.start({ hijack: true, stdin: true, Tty: request.tty }) as Promise<Duplex>),
        (connection) => Effect.zipRight(Effect.sync(() => connection.destroy()), hangUpIfRunning(call, container, exec, mark))
      )
      const resize = (cols: number, rows: number) =>
        request.tty
          ? Effect.tryPromise(() => exec.resize({ h: rows, w: cols })).pipe(
            Effect.catchAll((error) => Effect.logDebug(`resize of exec in ${containerId}: ${describe(error.error)}`))
          )
          : Effect.void
      if (request.cols !== undefined && request.rows !== undefined) yield* resize(request.cols, request.rows)
      return { exec, connection, resize }
    })

  const openExec = (containerId: string, request: ExecRequest) =>
    Effect.gen(function*() {
      const { connection, exec, resize } = yield* startExec(containerId, request)
      const ended = yield* Deferred.make<void>()
      const stream: SpaceStream = {
        output: outputOf(connection, request.tty).pipe(Stream.ensuring(Deferred.succeed(ended, undefined))),
        exit: Effect.zipRight(Deferred.await(ended), exitCodeOf(exec)),
        write: writeTo(connection),
        // A terminal has no half-close: closing the engine connection's input ends the session
        // before the output drains. The end of input is what a person types for it, Ctrl-D.
        endInput: request.tty ? Effect.ignore(writeTo(connection)(END_OF_TRANSMISSION)) : Effect.sync(() => connection.end()),
        resize
      }
      return stream
    })

  const openLogs = (containerId: string, request: LogsRequest) =>
    Effect.gen(function*() {
      const container = docker.getContainer(containerId)
      const base = { stdout: true, stderr: true, ...(request.tail === undefined ? {} : { tail: request.tail }) }
      const output: Stream.Stream<StreamChunk, StreamAborted> = request.follow
        ? Stream.unwrapScoped(Effect.map(
          Effect.acquireRelease(
            call("logs", () => container.logs({ ...base, follow: true }) as unknown as Promise<Duplex>),
            (connection) => Effect.sync(() => connection.destroy())
          ),
          (connection) => outputOf(connection, false)
        )).pipe(Stream.catchTag("ContainerStreamFailed", (error) => Stream.fail(new StreamAborted({ reason: error.reason }))))
        : Stream.unwrap(Effect.map(
          call("logs", () => container.logs({ ...base, follow: false }) as unknown as Promise<Buffer>),
          (buffer) => Stream.fromIterable(makeFrameReader().push(buffer))
        )).pipe(Stream.catchTag("ContainerStreamFailed", (error) => Stream.fail(new StreamAborted({ reason: error.reason }))))
      // Checked at open, so a missing container is an answer rather than an empty log.
      yield* call("inspect", () => container.inspect())
      const stream: SpaceStream = {
        output,
        exit: Effect.succeed(undefined),
        write: () => Effect.void,
        endInput: Effect.void,
        resize: () => Effect.void
      }
      return stream
    })

  const openTcp = (containerId: string, request: TcpRequest) =>
    Effect.gen(function*() {
      const { connection, exec } = yield* startExec(containerId, {
        _tag: "Exec",
        command: ["nc", "127.0.0.1", String(request.port)],
        tty: false
      })
      let stderr = ""
      const keepStderr = (chunk: StreamChunk) => {
        if (chunk.fd === 2 && stderr.length < STDERR_KEPT) stderr += Buffer.from(chunk.bytes).toString("utf8")
        return chunk.fd === 1
      }
      const verdict = Effect.flatMap(exitCodeOf(exec), (code) => {
        if (CANNOT_EXECUTE.has(code)) {
          return Effect.fail(
            new StreamAborted({
              reason: `port forwarding runs \`nc\` inside the space, and its image has none (add busybox or netcat to the image)`
            })
          )
        }
        const said = stderr.trim()
        return code !== 0 && said !== ""
          ? Effect.fail(new StreamAborted({ reason: `port ${request.port}: ${said.split("\n")[0]}` }))
          : Effect.void
      })
      const stream: SpaceStream = {
        output: outputOf(connection, false).pipe(Stream.filter(keepStderr), Stream.concat(Stream.drain(Stream.fromEffect(verdict)))),
        exit: Effect.succeed(undefined),
        write: writeTo(connection),
        endInput: Effect.sync(() => connection.end()),
        resize: () => Effect.void
      }
      return stream
    })

  const agentSockets = makeAgentSockets()

  /** The host directory the driver mounted at AGENT_DIR when it made the container. */
  const agentDirOf = (containerId: string) =>
    Effect.flatMap(call("inspect", (signal) => docker.getContainer(containerId).inspect({ abortSignal: signal })), (inspected) => {
      const mount = inspected.Mounts.find((candidate) => candidate.Destination === AGENT_DIR)
      return mount === undefined
        ? Effect.fail(new ContainerStreamFailed({
          reason: "this space's container has no directory for an SSH agent socket (it was made by an older knot); ssh without -A works"
        }))
        : Effect.succeed(mount.Source)
    })

  return {
    open: (containerId, request) => {
      switch (request._tag) {
        case "Exec":
          return openExec(containerId, request)
        case "Logs":
          return openLogs(containerId, request)
        case "Tcp":
          return openTcp(containerId, request)
        case "AgentListen":
          return Effect.flatMap(agentDirOf(containerId), (hostDir) => agentSockets.listen(containerId, hostDir))
        case "AgentConnection":
          return agentSockets.claim(containerId, request.listener, request.connection)
      }
    }
  }
}

export const DockerStreams = {
  make,
  layer: (options: DockerStreamsOptions = {}): Layer.Layer<ContainerStreams> =>
    Layer.succeed(ContainerStreams, make(options))
}

