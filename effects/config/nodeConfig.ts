import { Schema } from "effect"
import { leafCredentialPattern } from "../../transport/leaf/leafCredential.ts"

export type NodeMode = "standalone" | "cluster" | "leaf"

/** A node's settings, from its TOML file (or the defaults), checked and with paths made absolute. */
export interface NodeConfig {
  /** The file the settings came from; undefined when they are all defaults. */
  readonly source: string | undefined
  readonly server: {
    /** What people call the node in `knot cluster status`; by default the host's name. */
    readonly name: string
    readonly zone: string
    readonly mode: NodeMode
    /** Absolute; a relative `data_dir` is taken from the config file's directory. */
    readonly dataDir: string
    readonly listen: string
    /** The largest request body the API reads; larger ones get 413. */
    readonly maxBodyBytes: number
  }
  readonly cluster: {
    /** 64 lowercase hex characters; required in cluster mode, refused in leaf mode. */
    readonly key: string | undefined
    /** Noise public keys (64 lowercase hex characters) dialed directly. */
    readonly peers: ReadonlyArray<string>
    /** DHT nodes as `host:port`. */
    readonly bootstrap: ReadonlyArray<string>
    /** Address the DHT socket binds. */
    readonly host: string
  }
  readonly leaf: {
    /** Public key of the cluster node this leaf follows. */
    readonly origin: string | undefined
    /** What `knot leaf add` printed on the cluster: `knot-leaf:NAME:<secret>`; required in leaf mode. */
    readonly credential: string | undefined
  }
  readonly docker: {
    readonly socket: string
    /**
     * Seconds between a space's full checks of its container. The engine's events tell what
     * happens at once; this is the safety net for what an event stream can miss.
     */
    readonly reconcileSeconds: number
  }
  readonly streams: {
    /** Streams (shells, execs, logs, forwarded connections) one user may have open through this node at once. */
    readonly maxPerUser: number
    /** A stream with no byte either way for this long is closed. */
    readonly idleTimeoutSeconds: number
  }
  readonly ssh: {
    /** `host:port` of the SSH gateway; undefined when `listen = ""` turns it off. */
    readonly listen: string | undefined
  }
}

export const CONFIG_DEFAULTS = {
  zone: "default",
  mode: "standalone",
  dataDir: "./knot-data",
  listen: "127.0.0.1:3000",
  maxBodyBytes: 1024 * 1024,
  clusterHost: "127.0.0.1",
  dockerSocket: "/var/run/docker.sock",
  reconcileSeconds: 300,
  streamsPerUser: 32,
  streamIdleSeconds: 3600,
  sshListen: "127.0.0.1:2222"
} as const

/** How a value found in the file reads in an error message. */
export const describeValue = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value)
  if (value instanceof Date) return "a date"
  if (Array.isArray(value)) return "a list"
  if (value !== null && typeof value === "object") return "a table"
  return String(value)
}

/**
 * Every field states its rule once, for any wrong value, so each problem reads as one sentence.
 * A list's rule speaks only when the value is not a list (`override: false`), leaving a bad
 * element to the element's own rule.
 */
const rule = <S extends Schema.Annotable.All>(
  schema: S,
  expectation: (actual: unknown) => string,
  override = true
): Schema.Annotable.Self<S> => Schema.annotations<S>({ message: (issue) => ({ message: expectation(issue.actual), override }) })(schema)

const hexKey = rule(
  Schema.String.pipe(Schema.pattern(/^[0-9a-fA-F]{64}$/)),
  (actual) =>
    `must be 64 hex characters (got ${
      typeof actual !== "string"
        ? describeValue(actual)
        : actual.length === 64
          ? "a character that is not hex"
          : actual.length
    })`
).pipe(Schema.compose(Schema.Lowercase, { strict: false }))

const hostPort = rule(
  Schema.String.pipe(
    Schema.pattern(/^(?:\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/),
    Schema.filter((entry) => {
      const port = Number(entry.slice(entry.lastIndexOf(":") + 1))
      return port >= 1 && port <= 65535
    })
  ),
  (actual) => `must be "host:port" with a port from 1 to 65535 (got ${describeValue(actual)})`
)

const nonEmptyPath = rule(Schema.String.pipe(Schema.minLength(1)), (actual) => `must be a non-empty path (got ${describeValue(actual)})`)

const list = <S extends Schema.Schema.Any>(item: S, what: string) =>
  rule(Schema.Array(item), (actual) => `must be a list of ${what} (got ${describeValue(actual)})`, false)

const withDefault = <S extends Schema.Schema.Any>(schema: S, value: () => Schema.Schema.Type<S>) =>
  Schema.optionalWith(schema, { exact: true, default: value })

export const ServerSection = Schema.Struct({
  name: Schema.optionalWith(
    rule(
      Schema.String.pipe(Schema.pattern(/^[^\u0000-\u001f\u007f]{1,63}$/)),
      (actual) => `must be 1 to 63 printable characters (got ${describeValue(actual)})`
    ),
    { exact: true }
  ),
  zone: withDefault(
    rule(
      Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/)),
      (actual) => `must be a name of up to 63 letters, digits, ".", "_" or "-" (got ${describeValue(actual)})`
    ),
    () => CONFIG_DEFAULTS.zone
  ),
  mode: withDefault(
    rule(
      Schema.Literal("standalone", "cluster", "leaf"),
      (actual) => `must be one of "standalone", "cluster", "leaf" (got ${describeValue(actual)})`
    ),
    () => CONFIG_DEFAULTS.mode
  ),
  data_dir: withDefault(nonEmptyPath, () => CONFIG_DEFAULTS.dataDir),
  listen: withDefault(hostPort, () => CONFIG_DEFAULTS.listen),
  max_body_bytes: withDefault(
    rule(
      Schema.Number.pipe(Schema.int(), Schema.between(1024, 1024 * 1024 * 1024)),
      (actual) => `must be a whole number of bytes from 1024 to 1073741824 (got ${describeValue(actual)})`
    ),
    () => CONFIG_DEFAULTS.maxBodyBytes
  )
})

export const ClusterSection = Schema.Struct({
  key: Schema.optionalWith(hexKey, { exact: true }),
  peers: withDefault(list(hexKey, "public keys of 64 hex characters"), () => []),
  bootstrap: withDefault(list(hostPort, '"host:port" DHT nodes'), () => []),
  host: withDefault(
    rule(Schema.String.pipe(Schema.pattern(/^[^\s:]+$|^[0-9a-fA-F:]+$/)), (actual) => `must be an address to bind, such as "0.0.0.0" (got ${describeValue(actual)})`),
    () => CONFIG_DEFAULTS.clusterHost
  )
})

const leafCredential = rule(
  Schema.String.pipe(Schema.pattern(leafCredentialPattern)),
  () => "must be the credential `knot leaf add` printed on the cluster, as knot-leaf:NAME:<64 hex digits>"
)

export const LeafSection = Schema.Struct({
  origin: Schema.optionalWith(hexKey, { exact: true }),
  credential: Schema.optionalWith(leafCredential, { exact: true })
})

const reconcileSeconds = rule(
  Schema.Number.pipe(Schema.int(), Schema.between(1, 86_400)),
  (actual) => `must be a whole number of seconds from 1 to 86400 (got ${describeValue(actual)})`
)

export const DockerSection = Schema.Struct({
  socket: withDefault(nonEmptyPath, () => CONFIG_DEFAULTS.dockerSocket),
  reconcile_seconds: withDefault(reconcileSeconds, () => CONFIG_DEFAULTS.reconcileSeconds)
})

export const StreamsSection = Schema.Struct({
  max_per_user: withDefault(
    rule(
      Schema.Number.pipe(Schema.int(), Schema.between(1, 10_000)),
      (actual) => `must be a whole number from 1 to 10000 (got ${describeValue(actual)})`
    ),
    () => CONFIG_DEFAULTS.streamsPerUser
  ),
  idle_timeout_seconds: withDefault(
    rule(
      Schema.Number.pipe(Schema.int(), Schema.between(10, 604_800)),
      (actual) => `must be a whole number of seconds from 10 to 604800 (got ${describeValue(actual)})`
    ),
    () => CONFIG_DEFAULTS.streamIdleSeconds
  )
})

export const SshSection = Schema.Struct({
  listen: withDefault(
    rule(
      Schema.Union(Schema.Literal(""), hostPort),
      (actual) => `must be "host:port" with a port from 1 to 65535, or "" to turn the gateway off (got ${describeValue(actual)})`
    ),
    () => CONFIG_DEFAULTS.sshListen
  )
})

/** The TOML file as written: snake_case keys, every section and key optional. */
export const ConfigFile = Schema.Struct({
  server: withDefault(ServerSection, () => ({
    zone: CONFIG_DEFAULTS.zone,
    mode: CONFIG_DEFAULTS.mode,
    data_dir: CONFIG_DEFAULTS.dataDir,
    listen: CONFIG_DEFAULTS.listen,
    max_body_bytes: CONFIG_DEFAULTS.maxBodyBytes
  })),
  cluster: withDefault(ClusterSection, () => ({ peers: [], bootstrap: [], host: CONFIG_DEFAULTS.clusterHost })),
  leaf: withDefault(LeafSection, () => ({})),
  docker: withDefault(DockerSection, () => ({
    socket: CONFIG_DEFAULTS.dockerSocket,
    reconcile_seconds: CONFIG_DEFAULTS.reconcileSeconds
  })),
  streams: withDefault(StreamsSection, () => ({
    max_per_user: CONFIG_DEFAULTS.streamsPerUser,
    idle_timeout_seconds: CONFIG_DEFAULTS.streamIdleSeconds
  })),
  ssh: withDefault(SshSection, () => ({ listen: CONFIG_DEFAULTS.sshListen }))
})
export type ConfigFile = typeof ConfigFile.Type

/** The keys each section accepts, for the "unknown key" message. */
export const KNOWN_KEYS: Readonly<Record<string, ReadonlyArray<string>>> = {
  server: Object.keys(ServerSection.fields),
  cluster: Object.keys(ClusterSection.fields),
  leaf: Object.keys(LeafSection.fields),
  docker: Object.keys(DockerSection.fields),
  streams: Object.keys(StreamsSection.fields),
  ssh: Object.keys(SshSection.fields)
}
