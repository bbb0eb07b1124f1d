/**
 * How the CLI fails: one line on stderr, `error: <what to do>`, and a non-zero exit. Never a
 * stack trace for a user's mistake; a bug (a defect) also prints one line, and its full cause
 * only with KNOT_DEBUG set.
 */
import { ValidationError } from "@effect/cli"
import { Cause, Config, Console, Data, Effect, Option } from "effect"

/** A failure whose message is the whole story, ready to print. */
export class CliFailure extends Data.TaggedError("CliFailure")<{ readonly message: string }> {}

const messageOf = (value: unknown): string => {
  if (value instanceof Error || (typeof value === "object" && value !== null && "message" in value)) {
    const message = String((value as { readonly message: unknown }).message)
    if (message !== "") return message
  }
  return String(value)
}

/**
 * @effect/cli explains most bad command lines itself; a few it leaves without a word, such as
 * a value that starts with "-" (taken for a cluster of one-letter options).
 */
const unexplained = (error: ValidationError.ValidationError): string | undefined => {
  if (error._tag === "UnclusteredFlag") {
    const flag = `-${error.unclustered.map((option) => option.replace(/^-/, "")).join("")}`
    return `error: ${flag} is not an option; a value that starts with "-" goes after "--", as in: knot ... -- ${flag}`
  }
  return "error" in error && (error.error as { readonly _tag?: string })._tag === "Empty"
    ? `error: the command line could not be read (${error._tag}); see --help`
    : undefined
}

/**
 * The line to print for a failed run; undefined when there is nothing to add (an interrupt,
 * or a bad command line that @effect/cli has already explained with its help).
 */
export const failureLine = (cause: Cause.Cause<unknown>): string | undefined => {
  if (Cause.isInterruptedOnly(cause)) return undefined
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    if (ValidationError.isValidationError(failure.value)) return unexplained(failure.value)
    // Knot's own messages are written to be read whole (a config's every problem, one a line).
    return `error: ${messageOf(failure.value)}`
  }
  const defect = Cause.dieOption(cause)
  const detail = Option.isSome(defect) ? messageOf(defect.value).split("\n")[0] : "unknown failure"
  return `error: knot failed unexpectedly (${detail}); run again with KNOT_DEBUG=1 for details`
}

/**
 * Prints a failed run's one line on stderr and fails on, unchanged, so that the runtime exits
 * non-zero; run it under `NodeRuntime.runMain({ disableErrorReporting: true })` so that
 * nothing else is printed.
 */
export const reportFailure = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tapErrorCause(self, (cause) =>
    Effect.gen(function*() {
      const line = failureLine(cause)
      if (line !== undefined) yield* Console.error(line)
      const debug = yield* Effect.orElseSucceed(Config.boolean("KNOT_DEBUG").pipe(Config.withDefault(false)), () => false)
      if (debug && !Cause.isInterruptedOnly(cause)) yield* Console.error(Cause.pretty(cause))
    }))
