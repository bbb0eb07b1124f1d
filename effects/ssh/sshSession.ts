/**
 * One SSH session channel, bridged to an exec stream in the space: a shell (with a pty when
 * asked), a command (`ssh host cmd`, its exit status the session's), or the `sftp` subsystem
 * run by the image's own `sftp-server` (so scp, sftp and rsync work where the image has one).
 * The terminal's type and size go with the exec, and each window change becomes a resize.
 */
import { Effect, type Scope } from "effect"
import type { PseudoTtyInfo, ServerChannel, Session } from "ssh2"
import type { SpaceStream } from "../streams/spaceStreams.ts"
import type { StreamOpenError } from "../streams/spaceStreams.errors.ts"
import type { ExecRequest, StreamRequest } from "../streams/streamRequest.ts"
import { forwardAgent } from "./agentForwarding.ts"
import { pumpChannel } from "./channelPump.ts"

/** What the gateway gives each session of an authenticated connection. */
export interface SessionContext {
  /** Runs `effect` for as long as the connection lasts. */
  readonly run: (effect: Effect.Effect<void>) => void
  /** Opens a stream into the connection's space (starting it first where its template says so). */
  readonly open: (request: StreamRequest) => Effect.Effect<SpaceStream, StreamOpenError, Scope.Scope>
  /** A channel to the client's own SSH agent, which it offered with `ssh -A`. */
  readonly openAgentChannel: () => Effect.Effect<ServerChannel, Error>
  /** How the gateway ends the session itself, saying why; for as long as the scope lasts. */
  readonly endable: (end: (reason: string) => void) => Effect.Effect<void, never, Scope.Scope>
}

/** Variables a client may pass (`SendEnv`); anything else could change what runs in the space. */
export const isAllowedEnv = (name: string): boolean => name === "LANG" || name === "TERM" || /^LC_[A-Z_]+$/.test(name)

/** bash where the image has it, else sh, as a login shell (as `knot space shell` runs). */
const loginShell = ["sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi"]

const sftpServerPaths = [
  "/usr/lib/openssh/sftp-server",
  "/usr/libexec/openssh/sftp-server",
  "/usr/lib/ssh/sftp-server",
  "/usr/libexec/sftp-server",
  "/usr/lib/sftp-server",
  "/usr/local/libexec/sftp-server"
]

const sftpServer = [
  "sh",
  "-c",
  `for p in ${sftpServerPaths.join(" ")}; do [ -x "$p" ] && exec "$p"; done; ` +
  `command -v sftp-server >/dev/null 2>&1 && exec sftp-server; ` +
  `echo "knot: this space's image has no sftp-server, so scp, sftp and rsync cannot copy files; ` +
  `install OpenSSH's sftp server in the image (Debian: openssh-sftp-server), or copy through ssh: ssh HOST 'cat > FILE' < FILE" >&2; exit 127`
]

export const serveSession = (session: Session, context: SessionContext): void => {
  let pty: PseudoTtyInfo | undefined
  const env: Record<string, string> = {}
  let resize: ((cols: number, rows: number) => Effect.Effect<void>) | undefined

  session.on("pty", (accept, _reject, info) => {
    pty = info
    accept?.()
  })
  session.on("window-change", (accept, _reject, info) => {
    if (pty !== undefined) pty = { ...pty, cols: info.cols, rows: info.rows }
    if (resize !== undefined) context.run(resize(info.cols, info.rows))
    accept?.()
  })
  session.on("env", (accept, reject, info) => {
    if (!isAllowedEnv(info.key)) return reject?.()
    env[info.key] = info.val
    accept?.()
  })
  let agentOffered = false
  session.on("auth-agent", (accept) => {
    agentOffered = true
    accept?.()
  })

  const execOf = (command: ReadonlyArray<string>, terminal: boolean): ExecRequest => {
    const term = pty?.term === undefined || pty.term === "" ? undefined : pty.term
    const variables = { ...env, ...(terminal && term !== undefined ? { TERM: term } : {}) }
    return {
      _tag: "Exec",
      command: [command[0]!, ...command.slice(1)],
      tty: terminal,
      ...(Object.keys(variables).length === 0 ? {} : { env: variables }),
      // A client without a terminal of its own (`ssh -tt` from a script) asks for 0×0: give it the classic size.
      ...(terminal ? { cols: pty !== undefined && pty.cols > 0 ? pty.cols : 80, rows: pty !== undefined && pty.rows > 0 ? pty.rows : 24 } : {})
    }
  }

  const start = (channel: ServerChannel, request: ExecRequest) =>
    context.run(Effect.scoped(Effect.gen(function*() {
      const newline = request.tty ? "\r\n" : "\n"
      const tell = (message: string) => void channel.stderr.write(`knot: ${message}${newline}`)
      const say = (message: string) => Effect.sync(() => tell(message))
      yield* context.endable((reason) => {
        tell(reason)
        channel.end()
      })
      const agent = agentOffered ? yield* Effect.either(forwardAgent(context)) : undefined
      if (agent?._tag === "Left") yield* say(`your SSH agent is not forwarded to this session: ${agent.left.message}`)
      const opened = yield* Effect.either(context.open(
        agent?._tag === "Right" ? { ...request, env: { ...request.env, SSH_AUTH_SOCK: agent.right } } : request
      ))
      if (opened._tag === "Left") {
        // No exit status: the client exits 255, as it does when it cannot reach a host.
        yield* say(opened.left.message)
        channel.end()
        return
      }
      const stream = opened.right
      resize = (cols, rows) => stream.resize(cols, rows)
      const end = yield* pumpChannel(channel, stream, { forwardEof: !request.tty })
      if (end._tag === "Exited") {
        channel.exit(end.code ?? 0)
        channel.end()
      } else if (end._tag === "Failed") {
        yield* say(end.message)
        channel.end()
      }
    })))

  session.on("shell", (accept) => start(accept(), execOf(loginShell, pty !== undefined)))
  session.on("exec", (accept, _reject, info) => start(accept(), execOf(["sh", "-c", info.command], pty !== undefined)))
  session.on("subsystem", (accept, reject, info) => {
    if (info.name !== "sftp") return reject?.()
    start(accept(), execOf(sftpServer, false))
  })
}
