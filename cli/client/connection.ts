/**
 * Which server to talk to and as whom: `--server` / `--token`, else KNOT_SERVER / KNOT_TOKEN,
 * else the CLI config file (cliConfigFile.ts); the server defaults to a local standalone node.
 */
import { Options } from "@effect/cli"
import type { FileSystem } from "@effect/platform"
import { Config, Effect, Either, Option, Redacted } from "effect"
import { CliFailure } from "./cliFailure.ts"
import { cliConfigPath, readCliSettings } from "./cliConfigFile.ts"
import { defaultServer, serverUrlOf } from "./serverUrl.ts"

export const connectionOptions = {
  server: Options.text("server").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription(`URL of a knot node's API (else KNOT_SERVER, the CLI config file, or ${defaultServer})`),
    Options.optional
  ),
  token: Options.redacted("token").pipe(
    Options.withDescription("API token (else KNOT_TOKEN or the CLI config file)"),
    Options.optional
  )
}

export interface ConnectionFlags {
  readonly server: Option.Option<string>
  readonly token: Option.Option<Redacted.Redacted>
}

export interface Connection {
  /** Without a trailing slash. */
  readonly server: string
  readonly token: Redacted.Redacted
}

/** `host:port` alone means http; a trailing slash is dropped. */
export const normalizeServer = (server: string): Either.Either<string, CliFailure> => {
  const read = serverUrlOf(server)
  return "url" in read ? Either.right(read.url) : Either.left(new CliFailure({ message: read.problem }))
}

const variable = (name: string) => Effect.orDie(Config.option(Config.nonEmptyString(name)))

/** The server alone: enough for `knot login`, which brings its own token. */
export const resolveServer = (
  flag: Option.Option<string>
): Effect.Effect<string, CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const chosen = Option.isSome(flag)
      ? flag.value
      : Option.getOrUndefined(yield* variable("KNOT_SERVER")) ?? (yield* readCliSettings).server ?? defaultServer
    return yield* normalizeServer(chosen)
  })

export const resolveConnection = (flags: ConnectionFlags): Effect.Effect<Connection, CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const server = yield* resolveServer(flags.server)
    if (Option.isSome(flags.token)) return { server, token: flags.token.value }
    const fromEnvironment = yield* variable("KNOT_TOKEN")
    if (Option.isSome(fromEnvironment)) return { server, token: Redacted.make(fromEnvironment.value) }
    const fromFile = (yield* readCliSettings).token
    if (fromFile !== undefined) return { server, token: Redacted.make(fromFile) }
    return yield* new CliFailure({
      message: `no API token: pass --token, set KNOT_TOKEN, or run \`knot login --token TOKEN\` (writes ${yield* cliConfigPath})`
    })
  })
