/**
 * The SSH gateway: an SSH server on every node that signs people in by the public keys on
 * their profiles and bridges each session to their space through SpaceStreams, the one way
 * into a space (carried to the owner node when the space runs elsewhere). The user name picks
 * the space (sshAddress.ts); only public-key authentication is offered.
 *
 * A sign-in is refused, as `Permission denied (publickey)`, for a key nobody holds, a key of
 * someone not allowed on the space, or a disabled account, each with a log line; a space that
 * does not exist is said in a one-line banner. Failed attempts are slowed per source address
 * as the API's sign-ins are (signInLimiter.ts), one failure per connection that ends without
 * signing in: a client tries every key it holds in turn, and a person with several keys is not
 * guessing.
 */
import { createServer } from "node:net"
import { Duration, Effect, Either, Fiber, Runtime, type Scope } from "effect"
import ssh2 from "ssh2"
import type { AuthContext, Connection, PublicKeyAuthContext, TcpipRequestInfo } from "ssh2"
import type { Templates } from "../../actors/node/templates.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import { makeSignInLimiter, type SignInPolicy } from "../http/auth/signInLimiter.ts"
import { Users } from "../http/auth/users.ts"
import { SpaceStreams, type StreamCaller } from "../streams/spaceStreams.ts"
import { sendAuthBanner } from "./authBanner.ts"
import { pumpChannel } from "./channelPump.ts"
import type { HostKey } from "./hostKey.ts"
import { fingerprintOf } from "./publicKeyText.ts"
import { parseSshUser } from "./sshAddress.ts"
import { SshListenFailed } from "./sshGateway.errors.ts"
import { SshKeys } from "./sshKeys.ts"
import { serveSession } from "./sshSession.ts"
import { openAgentChannel } from "./agentChannel.ts"
import { startIfTemplateSays } from "./startOnConnect.ts"

export interface SshGatewayOptions {
  readonly listen: { readonly host: string; readonly port: number }
  readonly hostKey: HostKey
  /** How failed sign-ins are slowed; the API's default policy when absent. */
  readonly signIn?: SignInPolicy
  /** How long a connection may take to sign in before it is closed; a minute when absent. */
  readonly loginGrace?: Duration.DurationInput
}

export interface SshGateway {
  /** The port it listens on (the one asked for, or the one port 0 picked). */
  readonly port: number
}

/** Who signed in on a connection, and into which space. */
interface Target {
  readonly caller: StreamCaller
  readonly space: string
  readonly label: string
}

/** Why a sign-in that proved its key is refused: for the log, or for the person as a banner. */
type Refusal = { readonly log: string; readonly banner?: string }

/** How long a stopping gateway lets the clients of the sessions it ended close their connections. */
const sessionsGrace = Duration.seconds(1)

const loopbackNames = new Set(["localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1"])

type Requirements = SshKeys | Users | Spaces | Templates | SpaceStreams

export const serveSshGateway = (
  options: SshGatewayOptions
): Effect.Effect<SshGateway, SshListenFailed, Scope.Scope | Requirements> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<Requirements>()
    const keys = yield* SshKeys
    const users = yield* Users
    const spaces = yield* Spaces
    const streams = yield* SpaceStreams
    const limiter = makeSignInLimiter(options.signIn)
    const fork = Runtime.runFork(runtime)
    const connections = new Set<Connection>()
    /** Each open session's end, which tells its client why. */
    const sessions = new Set<(reason: string) => void>()
    const loginGraceMs = Duration.toMillis(Duration.decode(options.loginGrace ?? Duration.minutes(1)))

    /** Whom the key's holder reaches as `username`, or why not. */
    const targetOf = (holder: string, username: string): Effect.Effect<Either.Either<Target, Refusal>> =>
      Effect.gen(function*() {
        const user = yield* Effect.either(users.get(holder))
        if (Either.isLeft(user)) return Either.left({ log: `its holder ${holder} is not a user here` })
        if (user.right.disabled === true) return Either.left({ log: `its holder ${holder} is disabled` })
        const caller: StreamCaller = { id: user.right.id, name: user.right.name, role: user.right.role }
        const address = parseSshUser(username)
        if (Either.isLeft(address)) return Either.left({ log: `"${username}" is not a space address`, banner: address.left })
        const owner = address.right.owner ?? caller.id
        // Before any lookup, so that a user cannot probe which spaces others have.
        if (owner !== caller.id && caller.role !== "admin") return Either.left({ log: `${holder} may not reach ${owner}'s spaces` })
        const label = `${owner}/${address.right.name}`
        const view = yield* Effect.either(spaces.find(owner, address.right.name))
        if (Either.isLeft(view)) {
          return Either.left({
            log: `no space ${label}`,
            banner: owner === caller.id
              ? `knot: you have no space ${address.right.name}; \`knot space list\` shows yours`
              : `knot: ${owner} has no space ${address.right.name}`
          })
        }
        return Either.right({ caller, space: view.right.id, label })
      })

    /** Counts a connection that refused a key and never signed in. */
    const failedConnection = (address: string) =>
      Effect.gen(function*() {
        const { failures, lockedForMs } = yield* limiter.failed(address)
        if (lockedForMs > 0) {
          yield* Effect.logWarning(`ssh: ${failures} failed sign-ins from ${address} in a row; locked out for ${lockedForMs} ms`)
        }
      })

    const authenticate = (
      context: PublicKeyAuthContext,
      address: string,
      signedIn: { readonly target: (target: Target) => void; readonly refused: () => void }
    ) =>
      Effect.gen(function*() {
        const fingerprint = fingerprintOf(context.key.data)
        const refuse = (reason: string) =>
          Effect.gen(function*() {
            signedIn.refused()
            yield* Effect.logWarning(`ssh: refused key ${fingerprint} from ${address} for ${context.username}: ${reason}`)
            context.reject(["publickey"])
          })
        const wait = yield* limiter.waitFor(address)
        if (wait > 0) {
          yield* Effect.logWarning(`ssh: ${address} is locked out for ${wait} ms after failed sign-ins`)
          return context.reject(["publickey"])
        }
        const held = yield* Effect.orElseSucceed(keys.holderOf(context.key.data), () => undefined)
        if (held === undefined) return yield* refuse("no user holds it")
        // Without a signature the client only asks whether the key would do; it proves it next.
        if (context.signature === undefined || context.blob === undefined) return context.accept()
        const key = ssh2.utils.parseKey(held.publicKey)
        if (key instanceof Error || Array.isArray(key) || !key.verify(context.blob, context.signature, context.hashAlgo)) {
          return yield* refuse("its signature does not verify")
        }
        const target = yield* targetOf(held.user, context.username)
        if (Either.isLeft(target)) {
          if (target.left.banner !== undefined) sendAuthBanner(context, target.left.banner)
          return yield* refuse(target.left.log)
        }
        yield* limiter.succeeded(address)
        signedIn.target(target.right)
        context.accept()
      })

    const forward = (
      target: Target,
      info: TcpipRequestInfo,
      accept: () => ssh2.ServerChannel,
      reject: () => void
    ) =>
      Effect.scoped(Effect.gen(function*() {
        if (!loopbackNames.has(info.destIP)) {
          yield* Effect.logWarning(`ssh: ${target.caller.name} asked to forward to ${info.destIP}:${info.destPort}; only the space's own ports are reachable`)
          return reject()
        }
        const opened = yield* Effect.either(streams.open(target.caller, target.space, { _tag: "Tcp", port: info.destPort }))
        if (Either.isLeft(opened)) {
          yield* Effect.logInfo(`ssh: forward for ${target.caller.name} to ${target.label} port ${info.destPort}: ${opened.left.message}`)
          return reject()
        }
        const channel = accept()
        yield* pumpChannel(channel, opened.right, { forwardEof: true })
        channel.end()
      }))

    /** Per socket (`address:port`) not yet signed in: what stops its grace timer. */
    const awaitingSignIn = new Map<string, () => void>()

    const onConnection = (connection: Connection, info: { readonly ip: string; readonly port: number }) => {
      connections.add(connection)
      const fibers = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
      const run = (effect: Effect.Effect<void, never, Requirements>) => {
        const fiber = fork(effect)
        fibers.add(fiber)
        fiber.addObserver(() => fibers.delete(fiber))
      }
      let target: Target | undefined
      let refused = false
      connection.on("error", () => {})
      connection.on("close", () => {
        connections.delete(connection)
        for (const fiber of fibers) fork(Fiber.interrupt(fiber))
        if (target === undefined && refused) fork(failedConnection(info.ip))
      })
      connection.on("authentication", (context: AuthContext) => {
        if (context.method !== "publickey") return context.reject(["publickey"])
        run(authenticate(context, info.ip, { target: (signedIn) => (target = signedIn), refused: () => (refused = true) }))
      })
      connection.on("ready", () => {
        awaitingSignIn.get(`${info.ip}:${info.port}`)?.()
        const signedIn = target
        if (signedIn === undefined) return connection.end()
        // The gateway's context holds its own scope: provided to a stream's open, it would keep
        // every session's streams (and their per-user slots) open until the gateway stops.
        const open = (request: Parameters<typeof streams.open>[2]) =>
          Effect.zipRight(
            Effect.provide(startIfTemplateSays(signedIn.space), runtime.context),
            streams.open(signedIn.caller, signedIn.space, request)
          )
        connection.on("session", (accept) =>
          serveSession(accept(), {
            run: (effect) => run(effect),
            open,
            openAgentChannel: () => openAgentChannel(connection),
            endable: (end) =>
              Effect.acquireRelease(Effect.sync(() => void sessions.add(end)), () => Effect.sync(() => void sessions.delete(end)))
          }))
        connection.on("tcpip", (accept, reject, request) => run(forward(signedIn, request, accept, reject)))
      })
    }

    const server = new ssh2.Server(
      {
        hostKeys: [options.hostKey.privateKey],
        ident: "knot",
        // AES runs in node's native crypto; ssh2's chacha20-poly1305, which OpenSSH clients pick
        // first when offered, does not (a copy ran at about two thirds of the speed with it).
        algorithms: { cipher: ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr"] }
      },
      onConnection
    )
    // ssh2 waits for a sign-in forever, from a socket that may never even say hello: the
    // sockets are taken here first, and one that has not signed in within the grace is closed.
    const sockets = createServer((socket) => {
      const key = `${socket.remoteAddress}:${socket.remotePort}`
      const grace = setTimeout(() => socket.destroy(), loginGraceMs)
      awaitingSignIn.set(key, () => clearTimeout(grace))
      socket.once("close", () => {
        clearTimeout(grace)
        awaitingSignIn.delete(key)
      })
      server.injectSocket(socket)
    })
    const port = yield* Effect.async<number, SshListenFailed>((resume) => {
      const failed = (error: Error & { readonly code?: string }) =>
        resume(Effect.fail(new SshListenFailed({ address: `${options.listen.host}:${options.listen.port}`, detail: error.code ?? error.message })))
      sockets.once("error", failed)
      sockets.listen(options.listen.port, options.listen.host, () => {
        sockets.off("error", failed)
        const bound = sockets.address()
        resume(Effect.succeed(typeof bound === "object" && bound !== null ? bound.port : options.listen.port))
      })
    })
    yield* Effect.addFinalizer(() =>
      Effect.async<void>((resume) => {
        // The disconnect ssh2 sends names no reason, so each session is ended first, saying
        // why. OpenSSH writes out what a session was sent once the session closes, but drops
        // it at a disconnect: the connections are cut only once their clients had a moment.
        const ended = sessions.size
        for (const end of [...sessions]) end("this knot node is stopping, which ends the session")
        const cut = setTimeout(() => {
          for (const connection of connections) connection.end()
        }, ended === 0 ? 0 : Duration.toMillis(sessionsGrace))
        sockets.close(() => {
          clearTimeout(cut)
          resume(Effect.void)
        })
      })
    )
    return { port }
  })
