/** The `knot` command: every subcommand, in the order `knot --help` lists them. */
import { Command } from "@effect/cli"
import { clientCommands } from "./client/clientCommands.ts"
import { serverCommand } from "./server/server.command.ts"
import { simCommand } from "./sim.command.ts"

export const knotCommand = Command.make("knot").pipe(
  Command.withDescription("developer spaces on your own servers"),
  Command.withSubcommands([serverCommand, ...clientCommands, simCommand])
)
