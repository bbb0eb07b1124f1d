import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { loadConfig } from "../../effects/config/loadConfig.ts"

const config = Options.file("config").pipe(
  Options.withAlias("c"),
  Options.withDescription("the node's TOML config; without it, a standalone node with every default"),
  Options.optional
)
const listen = Options.text("listen").pipe(
  Options.withDescription("HOST:PORT of the HTTP API (default 127.0.0.1:3000, or [server] listen)"),
  Options.optional
)
const dataDir = Options.text("data-dir").pipe(
  Options.withDescription("where the node keeps its database and keys (default ./knot-data, or [server] data_dir)"),
  Options.optional
)

const init = Options.boolean("init").pipe(
  Options.withDescription(
    "start a new cluster: on an empty store this node creates the first admin and prints its token. " +
      "A node joining a running cluster is started without it and gets its users by gossip. " +
      "A standalone node needs no --init"
  )
)

const force = Options.boolean("force").pipe(
  Options.withDescription("let a data directory made by a node of another mode (standalone, cluster, leaf) become this mode's")
)

export const serverCommand = Command.make("server", { config, listen, dataDir, init, force }, (args) =>
  Effect.gen(function* () {
    const loaded = yield* loadConfig(Option.getOrUndefined(args.config))
    const server = {
      ...loaded.server,
      ...Option.match(args.listen, { onNone: () => ({}), onSome: (value) => ({ listen: value }) }),
      ...Option.match(args.dataDir, { onNone: () => ({}), onSome: (value) => ({ dataDir: value }) })
    }
    // Loaded on demand: the client commands need none of the node's engines (RocksDB,
    // Hyperswarm, dockerode), and loading them made every CLI call seconds slower.
    const { runNode } = yield* Effect.promise(() => import("./nodeRuntime.ts"))
    return yield* runNode({ ...loaded, server }, { init: args.init, force: args.force })
  })
).pipe(
  Command.withDescription(
    "Run a knot node until SIGINT/SIGTERM. Standalone by default: data in ./knot-data, the API on " +
      "127.0.0.1:3000, Docker at /var/run/docker.sock. On the first start a standalone node (or a cluster's first node, " +
      "started with --init) creates an admin and prints its token once. " +
      "Stopping the node leaves its containers running."
  )
)
