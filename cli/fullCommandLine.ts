/** The full command line: every command, parsed by @effect/cli, with help pages and mistakes read from the command tree. */
import { Command } from "@effect/cli"
// By module, not the package's index, which loads its HTTP client (undici) and server too.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect, Layer } from "effect"
import { ClientLive, CliFailure, reportFailure } from "./client/index.ts"
import { knotVersion } from "../effects/version.ts"
import { withColourWhereWanted } from "./colourless.ts"
import { commandExamples } from "./commandExamples.ts"
import { readCommandLine } from "./commandLine.ts"
import { commandTree } from "./commandTree.ts"
import { helpPage } from "./helpPage.ts"
import { knotCommand } from "./knotCommand.ts"

const cli = Command.run(knotCommand, { name: "knot", version: knotVersion })

const main = Effect.suspend(() => {
  const read = readCommandLine(commandTree(knotCommand), process.argv.slice(2))
  switch (read._tag) {
    case "Help":
      return Console.log(helpPage(read.command, commandExamples[read.command.path.slice(1).join(" ")] ?? []))
    case "Mistake":
      return Effect.fail(new CliFailure({ message: read.message }))
    case "Run":
      return cli(process.argv)
  }
})

main.pipe(
  reportFailure,
  withColourWhereWanted,
  Effect.provide(Layer.mergeAll(NodeContext.layer, ClientLive)),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
