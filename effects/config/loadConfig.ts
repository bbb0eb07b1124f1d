import { hostname } from "node:os"
import { FileSystem, Path } from "@effect/platform"
import { Effect, Either, ParseResult, Schema } from "effect"
import { parse, TomlError } from "smol-toml"
import { ConfigError } from "./config.errors.ts"
import type { ConfigFile, NodeConfig } from "./nodeConfig.ts"
import { describeValue, KNOWN_KEYS } from "./nodeConfig.ts"
import { ConfigFile as ConfigFileSchema } from "./nodeConfig.ts"

const decodeFile = Schema.decodeUnknownEither(ConfigFileSchema, { errors: "all", onExcessProperty: "error" })

/**
 * Reads and checks the node's TOML config. Without a path, every setting takes its default.
 * A relative `data_dir` is resolved from the file's directory, so the node finds its data
 * whatever directory it is started from.
 */
export const loadConfig = (
  path?: string
): Effect.Effect<NodeConfig, ConfigError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const paths = yield* Path.Path
    if (path === undefined) {
      return toNodeConfig(Either.getOrThrow(decodeFile({})), undefined, paths.resolve("."), paths)
    }
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError(
        (error) =>
          new ConfigError({
            source: path,
            problems: [
              error._tag === "SystemError" && error.reason === "NotFound"
                ? "file not found"
                : `cannot be read (${error.message})`
            ]
          })
      )
    )
    return yield* parseConfig(text, path).pipe(
      Either.map((file) => toNodeConfig(file, path, paths.dirname(paths.resolve(path)), paths))
    )
  })

/** Parses and checks a config's text; `source` names it in errors. */
export const parseConfig = (text: string, source: string): Either.Either<ConfigFile, ConfigError> => {
  const fail = (problems: ReadonlyArray<string>) => Either.left(new ConfigError({ source, problems }))
  let document: unknown
  try {
    document = parse(text)
  } catch (error) {
    return fail([error instanceof TomlError ? describeTomlError(error) : `is not TOML (${String(error)})`])
  }
  const decoded = decodeFile(document)
  if (Either.isLeft(decoded)) {
    return fail(ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((issue) => describeIssue(issue, document)))
  }
  const problems = modeProblems(decoded.right)
  return problems.length > 0 ? fail(problems) : Either.right(decoded.right)
}

const toNodeConfig = (file: ConfigFile, source: string | undefined, baseDir: string, paths: Path.Path): NodeConfig => ({
  source,
  server: {
    name: file.server.name ?? hostname(),
    zone: file.server.zone,
    mode: file.server.mode,
    dataDir: paths.resolve(baseDir, file.server.data_dir),
    listen: file.server.listen,
    maxBodyBytes: file.server.max_body_bytes
  },
  cluster: {
    key: file.cluster.key,
    peers: file.cluster.peers,
    bootstrap: file.cluster.bootstrap,
    host: file.cluster.host
  },
  leaf: { origin: file.leaf.origin, credential: file.leaf.credential },
  docker: { socket: file.docker.socket, reconcileSeconds: file.docker.reconcile_seconds },
  streams: { maxPerUser: file.streams.max_per_user, idleTimeoutSeconds: file.streams.idle_timeout_seconds },
  ssh: { listen: file.ssh.listen === "" ? undefined : file.ssh.listen }
})

/** What cluster and leaf nodes cannot start without. */
const modeProblems = (file: ConfigFile): ReadonlyArray<string> => {
  const mode = file.server.mode
  if (mode === "standalone") return []
  const problems: Array<string> = []
  if (mode === "cluster" && file.cluster.key === undefined) {
    problems.push(`[cluster] key is required when [server] mode = "cluster" (create one with: knot cluster keygen)`)
  }
  if (mode === "leaf" && file.cluster.key !== undefined) {
    problems.push(
      "[cluster] key must not be in a leaf's config: a leaf joins with a credential of its own. On a cluster node, " +
        "an admin runs `knot leaf add NAME --user U`; put what it prints in [leaf] credential and delete [cluster] key"
    )
  }
  if (mode === "leaf" && file.cluster.key === undefined && file.leaf.credential === undefined) {
    problems.push(
      `[leaf] credential is required when [server] mode = "leaf" (an admin creates it on the cluster with: knot leaf add NAME)`
    )
  }
  if (file.cluster.bootstrap.length === 0) {
    problems.push(`[cluster] bootstrap must list at least one DHT node as "host:port" when [server] mode = "${mode}"`)
  }
  if (mode === "leaf" && file.leaf.origin === undefined) {
    problems.push(`[leaf] origin is required when [server] mode = "leaf" (the public key of the cluster node to follow)`)
  }
  return problems
}

const describeIssue = (issue: ParseResult.ArrayFormatterIssue, document: unknown): string => {
  const [section, key, ...rest] = issue.path
  const where =
    section === undefined
      ? "the file"
      : key === undefined
        ? `[${String(section)}]`
        : `[${String(section)}] ${String(key)}${rest.map((index) => `[${String(index)}]`).join("")}`
  if (section !== undefined && key === undefined && issue._tag === "Type") {
    const value = typeof document === "object" && document !== null ? (document as Record<PropertyKey, unknown>)[section] : undefined
    return `${where} must be a table (got ${describeValue(value)})`
  }
  if (issue._tag !== "Unexpected") return `${where} ${issue.message}`
  if (key === undefined) {
    const sections = Object.keys(KNOWN_KEYS).map((name) => `[${name}]`)
    return `${where} is not a known section${suggestion(`[${String(section)}]`, sections)} (known: ${sections.join(", ")})`
  }
  const known = KNOWN_KEYS[String(section)] ?? []
  return `${where} is not a known key${suggestion(String(key), known)} (known: ${known.join(", ")})`
}

/** A typo is usually one or two edits away from the key meant. */
const suggestion = (typed: string, known: ReadonlyArray<string>): string => {
  const closest = known
    .map((candidate) => ({ candidate, distance: editDistance(typed.toLowerCase(), candidate) }))
    .sort((a, b) => a.distance - b.distance)[0]
  return closest !== undefined && closest.distance <= 2 ? `; did you mean ${closest.candidate}?` : ""
}

const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

const describeTomlError = (error: TomlError): string => {
  const firstLine = error.message.split("\n")[0] ?? ""
  return `line ${error.line}, column ${error.column}: invalid TOML (${firstLine.replace(/^Invalid TOML document: /, "")})`
}
