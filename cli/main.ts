import { Command } from "@effect/cli"
// By module, not the package's index, which loads its HTTP client (undici) and server too.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer } from "effect"
import { ClientLive, clientCommands, reportFailure } from "./client/index.ts"
import { knotVersion } from "../effects/version.ts"
import { withColourWhereWanted } from "./colourless.ts"
import { serverCommand } from "./server/server.command.ts"
import { simCommand } from "./sim.command.ts"

const knot = Command.make("knot").pipe(
  Command.withDescription("knot: developer spaces on your own servers"),
  Command.withSubcommands([serverCommand, ...clientCommands, simCommand])
)

const cli = Command.run(knot, { name: "knot", version: knotVersion })

cli(process.argv).pipe(
  reportFailure,
  withColourWhereWanted,
  Effect.provide(Layer.mergeAll(NodeContext.layer, ClientLive)),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
