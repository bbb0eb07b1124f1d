/** What a command prints on stdout: a table or a sentence for people, JSON with `--json`. */
import { Options } from "@effect/cli"
import { Console, Effect } from "effect"

export const jsonOption = Options.boolean("json").pipe(
  Options.withDescription("print JSON (for scripts) instead of a table")
)

export const printJson = (value: unknown): Effect.Effect<void> => Console.log(JSON.stringify(value, null, 2))

/** JSON of `value` with `--json`, else the text made for people. */
export const printResult = <A>(json: boolean, value: A, forPeople: (value: A) => string): Effect.Effect<void> =>
  json ? printJson(value) : Console.log(forPeople(value))

/** How long ago, in the largest whole unit. */
export const ago = (then: number, now: number): string => {
  const seconds = Math.max(0, Math.round((now - then) / 1000))
  if (seconds < 60) return `${seconds}s ago`
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes}m ago`
  const hours = Math.round(minutes / 60)
  return hours < 48 ? `${hours}h ago` : `${Math.round(hours / 24)}d ago`
}
