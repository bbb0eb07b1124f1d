/**
 * `knot cluster dht`: a DHT bootstrap node for the cluster's nodes to find each other,
 * bound to the address given (hyperdht's own `--bootstrap --host` binds every interface and
 * only advertises the host). Runs until interrupted.
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { CliFailure } from "./cliFailure.ts"

const host = Options.text("host").pipe(
  Options.withDescription("the IPv4 address to bind and advertise, e.g. 127.0.0.1 on one machine"),
  Options.withDefault("127.0.0.1")
)
const port = Options.integer("port").pipe(Options.withDescription("the UDP port"), Options.withDefault(49737))

export const clusterDhtCommand = Command.make("dht", { host, port }, (input) =>
  Effect.gen(function*() {
    // Loaded here alone: no other client command needs the DHT.
    const { default: HyperDHT } = yield* Effect.promise(() => import("hyperdht"))
    const node = yield* Effect.try({
      try: () => HyperDHT.bootstrapper(input.port, input.host, { host: input.host }),
      catch: (error) => new CliFailure({ message: `cannot start a DHT node on ${input.host}:${input.port}: ${String(error)}` })
    })
    yield* Effect.tryPromise({
      try: () => node.bind(),
      catch: (error) => new CliFailure({ message: `cannot bind ${input.host}:${input.port}: ${String(error)}` })
    })
    yield* Console.log(`DHT bootstrap node on ${input.host}:${input.port}; list it in [cluster] bootstrap of every node`)
    yield* Effect.acquireRelease(Effect.void, () => Effect.promise(() => node.destroy()))
    return yield* Effect.never
  }).pipe(Effect.scoped)).pipe(
  Command.withDescription("run a DHT bootstrap node, bound to --host, for a cluster's nodes to find each other")
)
