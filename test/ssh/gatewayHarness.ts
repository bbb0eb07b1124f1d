/**
 * An SSH gateway in this process on 127.0.0.1 (a free port), over a memory store and the local
 * SpaceStreams (localSpaceStreams.ts), with users ann and bob (each with a space `dev`), root
 * (an admin), their keys made by ssh-keygen, and the real OpenSSH client to talk to it. A space
 * reports running while it is asked to run, as its owner node would.
 */
import { spawn } from "node:child_process"
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, type Duration, Effect, ExecutionStrategy, Exit, Layer, Logger, Schedule, Scope } from "effect"
import { StandaloneClusterView } from "../../actors/node/clusterView.standalone.ts"
import { Templates, type TemplatesShape } from "../../actors/node/templates.ts"
import { TemplatesLive } from "../../actors/node/templates.live.ts"
import { Spaces, type SpacesShape } from "../../actors/space/spaces.ts"
import { SpacesLive } from "../../actors/space/spaces.live.ts"
import { defaultSignInPolicy, type SignInPolicy } from "../../effects/http/auth/signInLimiter.ts"
import { Users, type UsersShape } from "../../effects/http/auth/users.ts"
import { hostKeyOfSeed } from "../../effects/ssh/hostKey.ts"
import { serveSshGateway } from "../../effects/ssh/sshGateway.ts"
import { SshKeys } from "../../effects/ssh/sshKeys.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import { localSpaceStreams, type Recorded } from "./localSpaceStreams.ts"

export interface SshRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface SshOptions {
  readonly key: string
  readonly user: string
  readonly command?: ReadonlyArray<string>
  /** Before the defaults, so they win (ssh takes the first value of an option). */
  readonly options?: ReadonlyArray<string>
  readonly input?: string
  readonly env?: Record<string, string>
}

const quiet = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]

/** The OpenSSH client's options for signing in with `key` (ssh and scp alike; they differ in how they name the port). */
export const clientOptions = (key: string, options: ReadonlyArray<string> = []) => [...options, ...quiet, "-i", key]

export const sshArgs = (port: number, key: string, options: ReadonlyArray<string> = []) => [...clientOptions(key, options), "-p", String(port)]

export const runProcess = (command: string, args: ReadonlyArray<string>, input = "", env: Record<string, string> = {}) =>
  Effect.async<SshRun>((resume) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.once("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    child.stdin.end(input)
    return Effect.sync(() => void child.kill("SIGKILL"))
  })

export interface GatewayWorld {
  readonly port: number
  readonly dir: string
  readonly recorded: Recorded
  /** What the gateway logged. */
  readonly logs: Array<string>
  /** The private key file of ann, bob, root or stranger (on nobody's profile). */
  readonly keyOf: (user: "ann" | "bob" | "root" | "stranger") => string
  readonly ssh: (options: SshOptions) => Effect.Effect<SshRun>
  readonly spaces: SpacesShape
  readonly templates: TemplatesShape
  readonly users: UsersShape
  /** Stops the gateway, as a stopping node does, while the rest of the world stays up. */
  readonly stopGateway: Effect.Effect<void>
}

/** Reports each space as its record asks (running or stopped), as an owner node would. */
const ownerStandIn = Effect.gen(function*() {
  const store = yield* Store
  const spaces = yield* Spaces
  yield* Effect.forEach(yield* Effect.orDie(spaces.list()), (space) =>
    Effect.orDie(store.put("space-status", space.id, {
      observed: space.desired === "running" ? "running" : "stopped",
      containerId: "local",
      handled: space.generation
    })), { discard: true })
}).pipe(Effect.repeat(Schedule.spaced("50 millis")))

export const makeGatewayWorld = (
  options: { readonly signIn?: SignInPolicy; readonly loginGrace?: Duration.DurationInput } = {}
): Effect.Effect<GatewayWorld, never, Scope.Scope> =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), "knot-ssh-gateway-"))),
      (path) => Effect.sync(() => rmSync(path, { recursive: true, force: true }))
    )
    const recorded: Recorded = { requests: [], resizes: [] }
    const logs: Array<string> = []
    const services = localSpaceStreams(recorded).pipe(
      Layer.provideMerge(SpacesLive),
      Layer.provideMerge(TemplatesLive.layer()),
      Layer.provideMerge(StandaloneClusterView.layer({ zone: "local" })),
      Layer.provideMerge(SshKeys.layer.pipe(Layer.provideMerge(Users.layer))),
      Layer.provideMerge(Layer.orDie(MemoryStore.layer({ nodeId: NodeId.make("n-local"), maxDriftMs: 60_000 })))
    )
    const context = yield* Layer.build(services)
    const keyOf = (user: string) => join(dir, user)
    yield* Effect.gen(function*() {
      const users = yield* Users
      const keys = yield* SshKeys
      yield* Effect.orDie((yield* Templates).put({ name: "shell", image: "local", env: {}, volumes: [], zones: [] }))
      for (const [name, role] of [["ann", "user"], ["bob", "user"], ["root", "admin"]] as const) {
        yield* Effect.orDie(users.create(name, role))
      }
      for (const name of ["ann", "bob", "root", "stranger"]) {
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@test`, "-f", keyOf(name)])
      }
      for (const name of ["ann", "bob", "root"]) {
        yield* Effect.orDie(keys.add({ user: name, publicKey: execFileSync("cat", [`${keyOf(name)}.pub`], { encoding: "utf8" }) }))
        yield* Effect.orDie((yield* Spaces).create({ name: "dev", template: "shell", owner: name }))
      }
      yield* Effect.forkScoped(ownerStandIn)
    }).pipe(Effect.provide(context))
    const logger = Logger.make(({ message }) => void logs.push(Array.isArray(message) ? message.join(" ") : String(message)))
    const gatewayScope = yield* Scope.fork(yield* Effect.scope, ExecutionStrategy.sequential)
    const gateway = yield* serveSshGateway({
      listen: { host: "127.0.0.1", port: 0 },
      hostKey: hostKeyOfSeed(randomBytes(32), "new"),
      signIn: options.signIn ?? { ...defaultSignInPolicy, freeFailures: 1_000 },
      ...(options.loginGrace === undefined ? {} : { loginGrace: options.loginGrace })
    }).pipe(
      Effect.provide(Layer.merge(Layer.succeedContext(context), Logger.replace(Logger.defaultLogger, logger))),
      Effect.orDie,
      Scope.extend(gatewayScope)
    )
    const ssh = (run: SshOptions) =>
      runProcess(
        "ssh",
        [...sshArgs(gateway.port, keyOf(run.key), run.options), `${run.user}@127.0.0.1`, ...(run.command ?? [])],
        run.input ?? "",
        run.env ?? {}
      )
    return {
      port: gateway.port,
      dir,
      recorded,
      logs,
      keyOf,
      ssh,
      spaces: Context.get(context, Spaces),
      templates: Context.get(context, Templates),
      users: Context.get(context, Users),
      stopGateway: Scope.close(gatewayScope, Exit.void)
    }
  })
