/**
 * The `knot` command. The command people run most has a hand path (handPath.ts) that starts
 * without Effect or the command-line parser; every other command line, and whatever the hand
 * path leaves to it, goes to the full command line, loaded only then.
 */
import { runHandPath } from "./handPath.ts"

const code = await runHandPath(process.argv.slice(2), process.env, {
  out: (line) => console.log(line),
  err: (line) => console.error(line)
})
if (code === undefined) await import("./fullCommandLine.ts")
else process.exitCode = code
