/** `knot space shell|exec|logs|forward`: into a space, through whichever node the CLI talks to. */
import { createServer, type Socket } from "node:net"
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import type WebSocket from "ws"
import { CliFailure } from "./cliFailure.ts"
import { connectionOptions } from "./connection.ts"
import { openSession, type Session } from "./session.ts"
import { resolveSpaceAddress, spaceArg, type SpaceAddress } from "./spaceAddress.ts"
import { followStream, openStreamSocket, sendControl, type StreamEnd, streamUrl, writeOut } from "./streamSocket.ts"

/** Input waiting in the socket beyond this holds the local reader back. */
const INPUT_HIGH_WATER = 1024 * 1024

/** Exits with `code` once stdout and stderr have taken everything written to them. */
const exitWith = (code: number) =>
  Effect.async<never>(() => {
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))
  })

/** A remote exit code is knot's; a failure is one line and exit 1. */
const finish = (end: StreamEnd) =>
  end._tag === "Failed"
    ? Effect.fail(new CliFailure({ message: end.message }))
    : end.code === undefined || end.code === 0
    ? Effect.void
    : exitWith(end.code)

/** Sends what `source` reads as input, pausing it while the socket holds a lot; then `eof`. */
const sendInput = (socket: WebSocket, source: NodeJS.ReadableStream) => {
  source.on("data", (chunk: Buffer) => {
    if (socket.readyState !== socket.OPEN) return
    socket.send(chunk, { binary: true })
    if (socket.bufferedAmount > INPUT_HIGH_WATER) {
      source.pause()
      const resume = () => (socket.bufferedAmount > INPUT_HIGH_WATER ? setTimeout(resume, 10) : source.resume())
      setTimeout(resume, 10)
    }
  })
  source.on("end", () => sendControl(socket, { type: "eof" }))
}

const forwardStdin = (socket: WebSocket) => sendInput(socket, process.stdin)

const openFor = (session: Session, space: SpaceAddress, tail: string) =>
  Effect.acquireRelease(openStreamSocket(session.connection, streamUrl(session.connection, space, tail)), (socket) =>
    Effect.sync(() => socket.terminate()))

const commandArgs = Args.text({ name: "command" }).pipe(
  Args.atLeast(1),
  Args.withDescription("the command and its arguments, after --")
)

const exec = Command.make(
  "exec",
  {
    ...connectionOptions,
    tty: Options.boolean("tty").pipe(Options.withAlias("t"), Options.withDescription("run it in a terminal (as `docker exec -t`)")),
    space: spaceArg,
    command: commandArgs
  },
  (input) =>
    Effect.scoped(Effect.gen(function*() {
      const session = yield* openSession(input)
      const space = yield* resolveSpaceAddress(session, input.space)
      const query = new URLSearchParams(input.command.map((part): [string, string] => ["cmd", part]))
      if (input.tty) query.set("tty", "1")
      const socket = yield* openFor(session, space, `exec?${query}`)
      forwardStdin(socket)
      const end = yield* Effect.promise(() =>
        followStream(socket, (fd, bytes) => writeOut(fd === 2 ? process.stderr : process.stdout, bytes)))
      yield* finish(end)
    }))
).pipe(Command.withDescription("run a command in a space, with stdin, stdout and stderr piped; its exit code is knot's"))

/** bash where the image has it, else sh, as a login shell. */
const loginShell = ["sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi"]

const shell = Command.make("shell", { ...connectionOptions, space: spaceArg }, (input) =>
  Effect.scoped(Effect.gen(function*() {
    const session = yield* openSession(input)
    const space = yield* resolveSpaceAddress(session, input.space)
    const stdin = process.stdin
    const stdout = process.stdout
    const query = new URLSearchParams(loginShell.map((part): [string, string] => ["cmd", part]))
    query.set("tty", "1")
    query.set("term", process.env.TERM ?? "xterm-256color")
    if (stdout.isTTY) {
      query.set("cols", String(stdout.columns))
      query.set("rows", String(stdout.rows))
    }
    const socket = yield* openFor(session, space, `exec?${query}`)
    if (stdin.isTTY) {
      // Raw: every key (Ctrl-C included) goes to the space, and the space's terminal echoes.
      stdin.setRawMode(true)
      yield* Effect.addFinalizer(() => Effect.sync(() => stdin.setRawMode(false)))
    }
    const resize = () => sendControl(socket, { type: "resize", cols: stdout.columns, rows: stdout.rows })
    if (stdout.isTTY) {
      stdout.on("resize", resize)
      yield* Effect.addFinalizer(() => Effect.sync(() => stdout.off("resize", resize)))
    }
    forwardStdin(socket)
    const end = yield* Effect.promise(() =>
      followStream(socket, (fd, bytes) => writeOut(fd === 2 ? process.stderr : stdout, bytes)))
    if (stdin.isTTY) stdin.setRawMode(false)
    yield* finish(end)
  }))).pipe(Command.withDescription("open an interactive shell in a space (bash if the image has it, else sh)"))

const logs = Command.make(
  "logs",
  {
    ...connectionOptions,
    follow: Options.boolean("follow").pipe(Options.withAlias("f"), Options.withDescription("keep printing new output until Ctrl-C")),
    tail: Options.integer("tail").pipe(Options.withDescription("only the last N lines"), Options.optional),
    space: spaceArg
  },
  (input) =>
    Effect.scoped(Effect.gen(function*() {
      const session = yield* openSession(input)
      const space = yield* resolveSpaceAddress(session, input.space)
      const query = new URLSearchParams()
      if (input.follow) query.set("follow", "1")
      if (Option.isSome(input.tail)) query.set("tail", String(input.tail.value))
      const socket = yield* openFor(session, space, `logs?${query}`)
      const end = yield* Effect.promise(() =>
        followStream(socket, (fd, bytes) => writeOut(fd === 2 ? process.stderr : process.stdout, bytes)))
      yield* finish(end)
    }))
).pipe(Command.withDescription("print what a space's main process wrote (stdout and stderr)"))

interface Forwarding {
  readonly local: number
  readonly remote: number
}

const parseForwarding = (text: string): Forwarding | undefined => {
  const match = /^(?:(\d{1,5}):)?(\d{1,5})$/.exec(text)
  if (match === null) return undefined
  const remote = Number(match[2])
  const local = match[1] === undefined ? remote : Number(match[1])
  return remote >= 1 && remote <= 65535 && local >= 0 && local <= 65535 ? { local, remote } : undefined
}

/** One local connection carried to the space's port over its own stream. */
const carry = (session: Session, space: SpaceAddress, forwarding: Forwarding, local: Socket) => {
  local.pause()
  Effect.runPromise(Effect.either(openStreamSocket(session.connection, streamUrl(session.connection, space, `ports/${forwarding.remote}/connect`))))
    .then((opened) => {
      if (opened._tag === "Left") {
        console.error(`error: port ${forwarding.remote}: ${opened.left.message}`)
        return local.destroy()
      }
      const socket = opened.right
      sendInput(socket, local)
      local.on("error", () => socket.terminate())
      local.on("close", () => socket.close())
      local.resume()
      void followStream(socket, (_fd, bytes) =>
        local.write(bytes) ? undefined : new Promise<void>((resolve) => local.once("drain", () => resolve())))
        .then((end) => {
          if (end._tag === "Failed") console.error(`error: port ${forwarding.remote}: ${end.message}`)
          local.end()
        })
    })
}

const forward = Command.make(
  "forward",
  {
    ...connectionOptions,
    space: spaceArg,
    ports: Args.text({ name: "[local:]port" }).pipe(
      Args.atLeast(1),
      Args.withDescription("a port in the space, served on 127.0.0.1 at the same port or at LOCAL (0: any free one)")
    )
  },
  (input) =>
    Effect.scoped(Effect.gen(function*() {
      const session = yield* openSession(input)
      const space = yield* resolveSpaceAddress(session, input.space)
      for (const text of input.ports) {
        const forwarding = parseForwarding(text)
        if (forwarding === undefined) {
          return yield* new CliFailure({ message: `"${text}" is not a port to forward: write PORT or LOCAL:PORT (1 to 65535)` })
        }
        const server = createServer((local) => carry(session, space, forwarding, local))
        const bound = yield* Effect.async<number, CliFailure>((resume) => {
          server.once("error", (error) =>
            resume(Effect.fail(new CliFailure({ message: `cannot listen on 127.0.0.1:${forwarding.local}: ${error.message}` }))))
          server.listen(forwarding.local, "127.0.0.1", () => {
            const address = server.address()
            resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : forwarding.local))
          })
        })
        yield* Effect.addFinalizer(() => Effect.sync(() => server.close()))
        yield* Console.log(`forwarding 127.0.0.1:${bound} -> ${space.owner}/${space.name}:${forwarding.remote}`)
      }
      yield* Console.log("press Ctrl-C to stop")
      return yield* Effect.never
    }))
).pipe(Command.withDescription("serve ports of a space on 127.0.0.1, many connections at once, until Ctrl-C"))

export const spaceStreamCommands = [shell, exec, logs, forward] as const
