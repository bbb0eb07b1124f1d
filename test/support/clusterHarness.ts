/**
 * Real `knot server` processes on loopback, for the cluster tests and benchmarks: a DHT testnet
 * in this process, one temp directory per node (its TOML and its data directory, RocksDB
 * included), the node's output kept for failure messages. A node can be killed and started
 * again on the same directory and port. Everything goes with the scope that started it, and a
 * node still running when this process exits is killed then.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { FetchHttpClient } from "@effect/platform"
import type { Scope } from "effect"
import { Clock, Data, Duration, Effect, Redacted, Schedule, Schema } from "effect"
import createTestnet from "hyperdht/testnet"
import { type KnotClient, makeKnotClient } from "../../cli/client/knotClient.ts"
import { KEY_PAIR_FILE } from "../../transport/hyperswarm/keyPair.ts"

export class ClusterHarnessError extends Data.TaggedError("ClusterHarnessError")<{ readonly message: string }> {}

/** Every node bootstraps its admin with this token, so one token works on all of them. */
export const adminToken = "knot-cluster-test-admin-token"

const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const entry = join(repoRoot, "bin", "knot.js")

/** Loading the CLI through tsx takes seconds of CPU; on a loaded machine, tens of seconds. */
const START_LIMIT = Duration.seconds(90)
const STOP_LIMIT = Duration.seconds(15)
const OUTPUT_TAIL_LINES = 40

const running = new Set<ChildProcess>()
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL")
})

/** A loopback DHT of three nodes, destroyed with the scope. */
export const startTestnet: Effect.Effect<ReadonlyArray<string>, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() => createTestnet(3, { host: "127.0.0.1" })),
  (testnet) => Effect.promise(() => testnet.destroy())
).pipe(Effect.map((testnet) => testnet.bootstrap.map((node) => `${node.host}:${node.port}`)))

export const newClusterKey = (): string => randomBytes(32).toString("hex")

/** A port on 127.0.0.1 that was free a moment ago. */
const freePort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

export interface NodeSpec {
  /** How the tests and failure messages call it: "node1". */
  readonly name: string
  readonly clusterKey: string
  readonly bootstrap: ReadonlyArray<string>
  /** Public keys (hex) the node dials directly. */
  readonly peers?: ReadonlyArray<string>
  readonly zone?: string
  /** The engine its spaces run on; by default a socket where nothing answers. */
  readonly engineSocket?: string
  /** False: started without KNOT_ADMIN_TOKEN and without --init, as a node joining a running cluster. */
  readonly bootstrapsAdmin?: boolean
}

export interface KnotNode {
  readonly name: string
  readonly url: string
  readonly dataDir: string
  /** Its node id, from /health; kept across restarts on the same data. */
  readonly id: () => string
  /** Its Noise public key, from the key pair in its data directory. */
  readonly publicKey: () => string
  readonly client: KnotClient
  /** Everything it printed on stdout and stderr, over all its runs. */
  readonly output: () => string
  /** When (Clock millis) the current run printed its banner: the API serves and the transport has started. */
  readonly readyAt: () => number
  readonly isRunning: () => boolean
  /** Starts it (again) on its data directory and port; completes when it serves. */
  readonly start: Effect.Effect<void, ClusterHarnessError>
  /** Sends `signal` and waits for the process to exit. */
  readonly stop: (signal: "SIGKILL" | "SIGTERM") => Effect.Effect<void, ClusterHarnessError>
}

const configText = (spec: NodeSpec, dataDir: string, port: number) =>
  [
    "[server]",
    `zone = "${spec.zone ?? "local"}"`,
    `mode = "cluster"`,
    `data_dir = "${dataDir}"`,
    `listen = "127.0.0.1:${port}"`,
    "",
    "[cluster]",
    `key = "${spec.clusterKey}"`,
    `bootstrap = [${spec.bootstrap.map((entry) => `"${entry}"`).join(", ")}]`,
    `peers = [${(spec.peers ?? []).map((key) => `"${key}"`).join(", ")}]`,
    "",
    // Unless asked for, nothing answers there: most tests must never reach a real engine (and adopt its containers).
    "[docker]",
    `socket = "${spec.engineSocket ?? join(dataDir, "no-engine.sock")}"`,
    ""
  ].join("\n")

/** The part of the node's key pair file (transport/hyperswarm/keyPair.ts) its peers need. */
const decodePublicKey = Schema.decodeUnknownSync(Schema.parseJson(Schema.Struct({ publicKey: Schema.String })))

const tail = (text: string) => text.split("\n").slice(-OUTPUT_TAIL_LINES).join("\n")

/**
 * A node whose directory and process live as long as the scope; it is not started yet. On
 * scope close a running process is killed (SIGKILL: the tests care about nothing after).
 */
export const makeNode = (spec: NodeSpec): Effect.Effect<KnotNode, never, Scope.Scope> =>
  Effect.gen(function*() {
    const root = yield* Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), `knot-${spec.name}-`))),
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )
    const dataDir = join(root, "data")
    const port = yield* freePort
    const configPath = join(root, "knot.toml")
    writeFileSync(configPath, configText(spec, dataDir, port))
    const url = `http://127.0.0.1:${port}`
    const client = yield* makeKnotClient({ server: url, token: Redacted.make(adminToken) }).pipe(
      Effect.provide(FetchHttpClient.layer)
    )

    const output: Array<string> = []
    let child: ChildProcess | undefined
    let exited: Promise<void> = Promise.resolve()
    let id = ""
    let banner = 0
    const print = () => output.join("")
    const failure = (what: string) =>
      new ClusterHarnessError({ message: `${spec.name} ${what}; its last output:\n${tail(print())}` })

    const spawnProcess = Effect.sync(() => {
      const started = spawn(process.execPath, [entry, "server", "--config", configPath], {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          ...(spec.bootstrapsAdmin === false ? {} : { KNOT_ADMIN_TOKEN: adminToken })
        },
        stdio: ["ignore", "pipe", "pipe"]
      })
      output.push(`--- ${spec.name} started (pid ${started.pid ?? "?"})\n`)
      started.stdout?.setEncoding("utf8").on("data", (chunk: string) => output.push(chunk))
      started.stderr?.setEncoding("utf8").on("data", (chunk: string) => output.push(chunk))
      exited = new Promise((resolve) =>
        started.once("exit", (code, signal) => {
          output.push(`--- ${spec.name} exited (${signal ?? `code ${code}`})\n`)
          running.delete(started)
          resolve()
        })
      )
      running.add(started)
      child = started
      return started
    })

    const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null

    const awaitBanner = (started: ChildProcess, from: number) =>
      Effect.gen(function*() {
        while (true) {
          if (started.exitCode !== null || started.signalCode !== null) return yield* failure("exited before it served")
          if (print().slice(from).includes(`serving ${url}`)) return yield* Clock.currentTimeMillis
          yield* Effect.sleep("20 millis")
        }
      })

    const start = Effect.gen(function*() {
      if (isRunning()) return yield* failure("is already running")
      const from = print().length
      const started = yield* spawnProcess
      banner = yield* awaitBanner(started, from).pipe(
        Effect.timeoutFail({ duration: START_LIMIT, onTimeout: () => failure(`did not serve within ${Duration.format(START_LIMIT)}`) })
      )
      const health = yield* client.health.health().pipe(Effect.mapError((error) => failure(`does not answer /health: ${error.message}`)))
      id = health.node
    })

    const stop = (signal: "SIGKILL" | "SIGTERM") =>
      Effect.suspend(() => {
        const current = child
        if (current === undefined || !isRunning()) return Effect.void
        current.kill(signal)
        return Effect.promise(() => exited).pipe(
          Effect.timeoutFail({ duration: STOP_LIMIT, onTimeout: () => failure(`did not exit on ${signal}`) })
        )
      })

    yield* Effect.addFinalizer(() => Effect.ignore(stop("SIGKILL")))

    return {
      name: spec.name,
      url,
      dataDir,
      id: () => id,
      publicKey: () => decodePublicKey(readFileSync(join(dataDir, KEY_PAIR_FILE), "utf8")).publicKey,
      client,
      output: print,
      readyAt: () => banner,
      isRunning,
      start,
      stop
    }
  })

/** Nodes made and started together (their start costs CPU, not waiting, so they overlap). */
export const startNodes = (specs: ReadonlyArray<NodeSpec>): Effect.Effect<ReadonlyArray<KnotNode>, ClusterHarnessError, Scope.Scope> =>
  Effect.gen(function*() {
    const nodes = yield* Effect.forEach(specs, makeNode)
    yield* Effect.forEach(nodes, (node) => node.start, { concurrency: "unbounded", discard: true })
    return nodes
  })

/**
 * Runs `check` until it succeeds, every `every`, for at most `within`; then fails with what
 * was awaited, the check's last complaint and the output of `nodes`.
 */
export const eventually = <A, E, R>(
  what: string,
  check: Effect.Effect<A, E, R>,
  options: { readonly within: Duration.DurationInput; readonly nodes: ReadonlyArray<KnotNode>; readonly every?: Duration.DurationInput }
): Effect.Effect<A, ClusterHarnessError, R> => {
  let last: unknown = "never checked"
  return check.pipe(
    Effect.tapError((error) => Effect.sync(() => (last = error))),
    Effect.retry(Schedule.spaced(options.every ?? "100 millis")),
    // Retried until the timeout interrupts it: the check's own error never comes out here.
    Effect.orDie,
    Effect.timeoutFail({
      duration: options.within,
      onTimeout: () =>
        new ClusterHarnessError({
          message: [
            `timed out after ${Duration.format(options.within)} waiting for ${what}`,
            `last check: ${last instanceof Error ? last.message : String(last)}`,
            ...options.nodes.map((node) => `--- output of ${node.name} (${node.id()}):\n${tail(node.output())}`)
          ].join("\n")
        })
    })
  )
}

/** Fails unless `holds`; the message says what was expected. */
export const expectThat = (holds: boolean, expectation: string): Effect.Effect<void, Error> =>
  holds ? Effect.void : Effect.fail(new Error(expectation))
