import { hostname } from "node:os"
import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { knotClusterKeygen, loadConfig, parseConfig } from "../../effects/config/index.ts"

const KEY = "0123456789abcdef".repeat(4)
const CREDENTIAL = `knot-leaf:laptop:${"ab".repeat(32)}`

/** The one-line message a config text produces, or undefined if it is valid. */
const problemWith = (text: string): string | undefined => {
  const parsed = parseConfig(text, "knot.toml")
  return Either.isLeft(parsed) ? parsed.left.message : undefined
}

describe("parseConfig", () => {
  it("accepts a complete cluster config and lowercases its keys", () => {
    const parsed = parseConfig(
      [
        "[server]",
        'zone = "us-east"',
        'mode = "cluster"',
        'data_dir = "/var/lib/knot"',
        'listen = "0.0.0.0:3000"',
        "[cluster]",
        `key = "${KEY.toUpperCase()}"`,
        `peers = ["${"ab".repeat(32)}"]`,
        'bootstrap = ["10.0.0.1:49737", "[::1]:49737"]',
        'host = "0.0.0.0"',
        "[docker]",
        'socket = "/run/podman/podman.sock"',
        "reconcile_seconds = 600"
      ].join("\n"),
      "knot.toml"
    )
    expect(Either.getOrThrow(parsed)).toEqual({
      server: { zone: "us-east", mode: "cluster", data_dir: "/var/lib/knot", listen: "0.0.0.0:3000", max_body_bytes: 1048576 },
      cluster: { key: KEY, peers: ["ab".repeat(32)], bootstrap: ["10.0.0.1:49737", "[::1]:49737"], host: "0.0.0.0" },
      leaf: {},
      docker: { socket: "/run/podman/podman.sock", reconcile_seconds: 600 },
      streams: { max_per_user: 32, idle_timeout_seconds: 3600 },
      ssh: { listen: "127.0.0.1:2222" }
    })
  })

  it.each([
    ["[cluster]\nkey = \"abc123abc123\"", "config knot.toml: [cluster] key must be 64 hex characters (got 12)"],
    [`[cluster]\nkey = "${"g".repeat(64)}"`, "config knot.toml: [cluster] key must be 64 hex characters (got a character that is not hex)"],
    ["[cluster]\nkey = 42", "config knot.toml: [cluster] key must be 64 hex characters (got 42)"],
    ['[server]\nmode = "clustr"', 'config knot.toml: [server] mode must be one of "standalone", "cluster", "leaf" (got "clustr")'],
    ['[server]\nzone = "us east"', 'config knot.toml: [server] zone must be a name of up to 63 letters, digits, ".", "_" or "-" (got "us east")'],
    ["[server]\nzone = 5", 'config knot.toml: [server] zone must be a name of up to 63 letters, digits, ".", "_" or "-" (got 5)'],
    ['[server]\nlisten = "localhost"', 'config knot.toml: [server] listen must be "host:port" with a port from 1 to 65535 (got "localhost")'],
    ['[server]\nlisten = "localhost:70000"', 'config knot.toml: [server] listen must be "host:port" with a port from 1 to 65535 (got "localhost:70000")'],
    ['[server]\ndata_dir = ""', 'config knot.toml: [server] data_dir must be a non-empty path (got "")'],
    ['[cluster]\npeers = "ab"', 'config knot.toml: [cluster] peers must be a list of public keys of 64 hex characters (got "ab")'],
    [`[cluster]\npeers = ["${KEY}", "ab"]`, "config knot.toml: [cluster] peers[1] must be 64 hex characters (got 2)"],
    ['[cluster]\nbootstrap = ["dht.example"]', 'config knot.toml: [cluster] bootstrap[0] must be "host:port" with a port from 1 to 65535 (got "dht.example")'],
    ['[cluster]\nhost = "0.0.0.0:1"', 'config knot.toml: [cluster] host must be an address to bind, such as "0.0.0.0" (got "0.0.0.0:1")'],
    ['[leaf]\norigin = "xyz"', "config knot.toml: [leaf] origin must be 64 hex characters (got 3)"],
    ["[docker]\nsocket = 1979-05-27", "config knot.toml: [docker] socket must be a non-empty path (got a date)"],
    ["[docker]\nreconcile_seconds = 0", "config knot.toml: [docker] reconcile_seconds must be a whole number of seconds from 1 to 86400 (got 0)"],
    ['[ssh]\nlisten = "2222"', 'config knot.toml: [ssh] listen must be "host:port" with a port from 1 to 65535, or "" to turn the gateway off (got "2222")'],
    ["server = 3", "config knot.toml: [server] must be a table (got 3)"]
  ])("reports %j in one line naming the key", (text, message) => {
    expect(problemWith(text)).toBe(message)
  })

  it("turns the SSH gateway off with [ssh] listen = \"\"", () => {
    expect(Either.getOrThrow(parseConfig('[ssh]\nlisten = ""', "knot.toml")).ssh.listen).toBe("")
  })

  it("reports an unknown key with the known keys and the likely one meant", () => {
    expect(problemWith('[server]\ndatadir = "/x"')).toBe(
      "config knot.toml: [server] datadir is not a known key; did you mean data_dir? (known: name, zone, mode, data_dir, listen, max_body_bytes)"
    )
  })

  it("reports an unknown section with the known sections", () => {
    expect(problemWith('[srever]\nzone = "x"')).toBe(
      "config knot.toml: [srever] is not a known section; did you mean [server]? (known: [server], [cluster], [leaf], [docker], [streams], [ssh])"
    )
  })

  it("requires a cluster key in cluster mode", () => {
    expect(problemWith('[server]\nmode = "cluster"\n[cluster]\nbootstrap = ["127.0.0.1:49737"]')).toBe(
      'config knot.toml: [cluster] key is required when [server] mode = "cluster" (create one with: knot cluster keygen)'
    )
  })

  it("requires a bootstrap node in cluster mode", () => {
    expect(problemWith(`[server]\nmode = "cluster"\n[cluster]\nkey = "${KEY}"`)).toBe(
      'config knot.toml: [cluster] bootstrap must list at least one DHT node as "host:port" when [server] mode = "cluster"'
    )
  })

  it("requires an origin in leaf mode", () => {
    expect(problemWith(`[server]\nmode = "leaf"\n[cluster]\nbootstrap = ["127.0.0.1:49737"]\n[leaf]\ncredential = "${CREDENTIAL}"`)).toBe(
      'config knot.toml: [leaf] origin is required when [server] mode = "leaf" (the public key of the cluster node to follow)'
    )
  })

  it("requires a credential in leaf mode", () => {
    expect(problemWith(`[server]\nmode = "leaf"\n[cluster]\nbootstrap = ["127.0.0.1:49737"]\n[leaf]\norigin = "${KEY}"`)).toBe(
      'config knot.toml: [leaf] credential is required when [server] mode = "leaf" (an admin creates it on the cluster with: knot leaf add NAME)'
    )
  })

  it("refuses a leaf config that holds the cluster key, saying what to do instead", () => {
    const problem = problemWith(`[server]\nmode = "leaf"\n[cluster]\nkey = "${KEY}"\nbootstrap = ["127.0.0.1:49737"]\n[leaf]\norigin = "${KEY}"`)
    expect(problem).toContain("[cluster] key must not be in a leaf's config")
    expect(problem).toContain("knot leaf add NAME")
  })

  it("refuses a leaf credential that is not one knot leaf add prints", () => {
    expect(problemWith('[leaf]\ncredential = "hunter2"')).toBe(
      "config knot.toml: [leaf] credential must be the credential `knot leaf add` printed on the cluster, as knot-leaf:NAME:<64 hex digits>"
    )
  })

  it("names every problem, one per line, so that all are fixed in one go", () => {
    const parsed = parseConfig('[server]\nzone = "a b"\nmode = "x"\n[docker]\nsokcet = "/s"', "knot.toml")
    const lines = (Either.isLeft(parsed) ? parsed.left.message : "").split("\n")
    expect(lines[0]).toBe("config knot.toml has 3 problems:")
    expect(lines[1]).toBe('  [server] zone must be a name of up to 63 letters, digits, ".", "_" or "-" (got "a b")')
    expect(lines[2]).toMatch(/^ {2}\[server\] mode must be one of/)
    expect(lines[3]).toMatch(/^ {2}\[docker\] sokcet is not a known key; did you mean socket\?/)
  })

  it("reports a TOML syntax error with its line and column", () => {
    expect(problemWith('[server]\nzone = = "x"')).toBe("config knot.toml: line 2, column 8: invalid TOML (invalid value)")
  })
})

layer(NodeContext.layer)("loadConfig", (it) => {
  it.effect("gives every default when no file is named", () =>
    Effect.gen(function* () {
      const path = yield* Path.Path
      expect(yield* loadConfig()).toEqual({
        source: undefined,
        server: {
          name: hostname(),
          zone: "default",
          mode: "standalone",
          dataDir: path.resolve("knot-data"),
          listen: "127.0.0.1:3000",
          maxBodyBytes: 1048576
        },
        cluster: { key: undefined, peers: [], bootstrap: [], host: "127.0.0.1" },
        leaf: { origin: undefined, credential: undefined },
        docker: { socket: "/var/run/docker.sock", reconcileSeconds: 300 },
        streams: { maxPerUser: 32, idleTimeoutSeconds: 3600 },
        ssh: { listen: "127.0.0.1:2222" }
      })
    })
  )

  it.scoped("resolves a relative data_dir from the config file's directory", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "knot-config-" })
      const file = path.join(dir, "knot.toml")
      yield* fs.writeFileString(file, '[server]\ndata_dir = "state"\n')
      const config = yield* loadConfig(file)
      expect(config.server.dataDir).toBe(path.join(dir, "state"))
      expect(config.source).toBe(file)
    })
  )

  it.effect("fails naming the path when the file does not exist", () =>
    Effect.gen(function* () {
      const error = yield* loadConfig("/nonexistent/knot.toml").pipe(Effect.flip)
      expect(error.message).toBe("config /nonexistent/knot.toml: file not found")
    })
  )

  it.scoped("accepts a generated cluster key", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const file = path.join(yield* fs.makeTempDirectoryScoped({ prefix: "knot-config-" }), "knot.toml")
      const key = yield* knotClusterKeygen()
      yield* fs.writeFileString(file, `[server]\nmode = "cluster"\n[cluster]\nkey = "${key}"\nbootstrap = ["127.0.0.1:49737"]\n`)
      expect((yield* loadConfig(file)).cluster.key).toBe(key)
    })
  )
})

describe("knotClusterKeygen", () => {
  it.effect("makes a fresh 64-hex-character key each time", () =>
    Effect.gen(function* () {
      const first = yield* knotClusterKeygen()
      const second = yield* knotClusterKeygen()
      expect(first).toMatch(/^[0-9a-f]{64}$/)
      expect(second).not.toBe(first)
    })
  )
})
