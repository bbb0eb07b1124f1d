/**
 * The CLI's own settings file, `~/.config/knot/cli.toml` (or `$XDG_CONFIG_HOME/knot/cli.toml`,
 * or the path in KNOT_CONFIG): the server and token to use when no flag or variable says.
 * `knot login` writes it, readable by its owner only since it holds a token.
 */
import { dirname } from "node:path"
import { FileSystem } from "@effect/platform"
import { Config, Effect, Option, ParseResult, Schema } from "effect"
import { parse, stringify } from "smol-toml"
import { CliFailure } from "./cliFailure.ts"
import { cliConfigPathOf } from "./cliConfigPath.ts"

export const CliSettings = Schema.Struct({
  server: Schema.optionalWith(Schema.String, { exact: true }),
  token: Schema.optionalWith(Schema.String, { exact: true })
})
export type CliSettings = typeof CliSettings.Type

const decodeSettings = Schema.decodeUnknown(CliSettings, { onExcessProperty: "ignore" })

const optionalVariable = (name: string) => Effect.orDie(Config.option(Config.nonEmptyString(name)))

export const cliConfigPath: Effect.Effect<string> = Effect.gen(function*() {
  const variables = new Map<string, string>()
  for (const name of ["KNOT_CONFIG", "XDG_CONFIG_HOME", "HOME"]) {
    const value = yield* optionalVariable(name)
    if (Option.isSome(value)) variables.set(name, value.value)
  }
  return cliConfigPathOf((name) => variables.get(name))
})

/** The settings in the file; none when it does not exist. */
export const readCliSettings: Effect.Effect<CliSettings, CliFailure, FileSystem.FileSystem> = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* cliConfigPath
  const unreadable = (reason: string) => new CliFailure({ message: `cannot read ${path}: ${reason}` })
  if (!(yield* Effect.orElseSucceed(fs.exists(path), () => false))) return {}
  const text = yield* Effect.mapError(fs.readFileString(path), (error) => unreadable(error.message))
  const table = yield* Effect.try({ try: () => parse(text), catch: (error) => unreadable(String(error).split("\n")[0] ?? "") })
  return yield* Effect.mapError(
    decodeSettings(table),
    (error) => unreadable(ParseResult.TreeFormatter.formatErrorSync(error).split("\n").at(-1)?.trim() ?? "")
  )
})

export const writeCliSettings = (settings: CliSettings): Effect.Effect<string, CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* cliConfigPath
    const unwritable = (reason: string) => new CliFailure({ message: `cannot write ${path}: ${reason}` })
    yield* Effect.mapError(fs.makeDirectory(dirname(path), { recursive: true }), (error) => unwritable(error.message))
    yield* Effect.mapError(
      fs.writeFileString(path, `${stringify(settings)}\n`, { mode: 0o600 }),
      (error) => unwritable(error.message)
    )
    // An existing file keeps its mode on write; a token must not stay readable by others.
    yield* Effect.mapError(fs.chmod(path, 0o600), (error) => unwritable(error.message))
    return path
  })
