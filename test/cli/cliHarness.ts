/**
 * Runs the client commands in this process, as `knot ARGS...` would, against a test node:
 * what they print on stdout and stderr is captured, and the exit code is what the real
 * entry point gives (non-zero on any failure, see cli/client/cliFailure.ts).
 */
import { Command } from "@effect/cli"
import { clientCommands } from "../../cli/client/clientCommands.ts"
import { FetchHttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import type { Console, Scope } from "effect"
import { ConfigProvider, Effect, Exit, Layer } from "effect"
import { reportFailure } from "../../cli/client/cliFailure.ts"
import { Progress } from "../../cli/client/progress.ts"

export const knot = Command.make("knot").pipe(
  Command.withSubcommands(clientCommands)
)

const cli = Command.run(knot, { name: "knot", version: "test" })

export interface Run {
  readonly stdout: string
  readonly stderr: string
  readonly exitCode: number
}

const text = (args: ReadonlyArray<unknown>) => args.map(String).join(" ")

/** What a run has printed so far, line by line. */
export interface Output {
  readonly stdout: Array<string>
  readonly stderr: Array<string>
}

const runInto = (args: ReadonlyArray<string>, environment: Record<string, string>, output: Output) =>
  Effect.gen(function*() {
    const base = yield* Effect.console
    const console: Console.Console = {
      ...base,
      log: (...line) => Effect.sync(() => void output.stdout.push(text(line))),
      error: (...line) => Effect.sync(() => void output.stderr.push(text(line)))
    }
    return yield* cli(["node", "knot", ...args]).pipe(
      reportFailure,
      Effect.provide(Layer.mergeAll(NodeContext.layer, FetchHttpClient.layer, Progress.lines)),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(environment)))),
      Effect.withConsole(console),
      Effect.exit
    )
  })

/** `knot ...args` with exactly the environment variables given (KNOT_CONFIG should point into a temp dir). */
export const runKnot = (args: ReadonlyArray<string>, environment: Record<string, string>): Effect.Effect<Run> =>
  Effect.gen(function*() {
    const output: Output = { stdout: [], stderr: [] }
    const exit = yield* runInto(args, environment, output)
    return { stdout: output.stdout.join("\n"), stderr: output.stderr.join("\n"), exitCode: Exit.isSuccess(exit) ? 0 : 1 }
  })

/** A command that runs until interrupted (`--watch`): its output as it grows; interrupted when the scope closes. */
export const startKnot = (
  args: ReadonlyArray<string>,
  environment: Record<string, string>
): Effect.Effect<Output, never, Scope.Scope> =>
  Effect.gen(function*() {
    const output: Output = { stdout: [], stderr: [] }
    yield* Effect.forkScoped(runInto(args, environment, output))
    return output
  })
