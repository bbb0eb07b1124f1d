/**
 * The client commands as a real process, wired the way cli/fullCommandLine.ts wires them:
 * one-line failures, a non-zero exit, nothing else printed.
 */
import { Command } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { ClientLive, reportFailure } from "../../cli/client/index.ts"
import { knot } from "./cliHarness.ts"

Command.run(knot, { name: "knot", version: "test" })(process.argv).pipe(
  reportFailure,
  Effect.provide(Layer.mergeAll(NodeContext.layer, ClientLive)),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
