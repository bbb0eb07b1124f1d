/**
 * Passwords typed by a person (a terminal: no echo) or piped by a script (one per line on
 * standard input), never taken from the command line, where `ps` and shell history see them.
 */
import { Effect } from "effect"

const fromTerminal = (prompt: string) =>
  Effect.async<string>((resume) => {
    const input = process.stdin
    process.stderr.write(prompt)
    input.setRawMode(true)
    input.resume()
    let typed = ""
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") {
          input.off("data", onData)
          input.setRawMode(false)
          input.pause()
          process.stderr.write("\n")
          return resume(Effect.succeed(typed))
        }
        if (char === "\u0003") process.exit(130)
        typed = char === "\u007f" ? typed.slice(0, -1) : typed + char
      }
    }
    input.on("data", onData)
  })

const piped = Effect.promise(async () => {
  let text = ""
  for await (const chunk of process.stdin) text += chunk
  return text.split(/\r?\n/)
})

/** One answer per prompt: typed at a terminal, else the lines of standard input in order ("" when missing). */
export const readPasswords = (prompts: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<string>> =>
  process.stdin.isTTY
    ? Effect.forEach(prompts, fromTerminal)
    : Effect.map(piped, (lines) => prompts.map((_, i) => lines[i] ?? ""))
