/**
 * Output without ANSI styling when it goes to no terminal, or NO_COLOR is set
 * (https://no-color.org): @effect/cli styles its help and errors whatever stdout is, and a
 * pipe or a file then holds escape codes instead of text.
 */
import type { Console } from "effect"
import { Effect } from "effect"

const styling = /\u001b\[[0-9;]*m/g

const plain = (args: ReadonlyArray<unknown>) => args.map((arg) => (typeof arg === "string" ? arg.replace(styling, "") : arg))

export const wantsColour = (stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean =>
  stream.isTTY === true && env.NO_COLOR === undefined

const colourless = (console: Console.Console): Console.Console => ({
  ...console,
  log: (...args) => console.log(...plain(args)),
  error: (...args) => console.error(...plain(args)),
  unsafe: {
    ...console.unsafe,
    log: (...args) => console.unsafe.log(...plain(args)),
    error: (...args) => console.unsafe.error(...plain(args))
  }
})

/** Runs `effect` with unstyled output unless stdout is a terminal that wants colour. */
export const withColourWhereWanted = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  wantsColour(process.stdout, process.env)
    ? effect
    : Effect.consoleWith((console) => Effect.withConsole(effect, colourless(console)))
