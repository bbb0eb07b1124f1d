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
 * The line to print for a failed run; undefined when there is nothing to add (an interrupt,
 * or a bad command line that @effect/cli has already explained with its help).
 */
export const failureLine = (cause: Cause.Cause<unknown>): string | undefined => {
  if (Cause.isInterruptedOnly(cause)) return undefined
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    if (ValidationError.isValidationError(failure.value)) return undefined
    return `error: ${messageOf(failure.value).split("\n")[0]}`
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
