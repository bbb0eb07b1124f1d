/**
 * What a command line asks before @effect/cli parses it: a help page, or a mistake worth a
 * sentence of its own. @effect/cli answers `knot space crate` with the top-level command list
 * and `knot login` without a token with `Expected to find option: '--token'`; a user should
 * read which command was not found and what it may have meant, and which option is missing
 * and what it is for, which option it does not know, and which option or argument was given
 * a value it cannot take (@effect/cli says "'x' is not a integer" without naming either).
 * Anything else is left to @effect/cli.
 */
import { Either, Schema } from "effect"
import type { CommandInfo, ValueKind } from "./commandTree.ts"
import { usageLine } from "./helpPage.ts"

export type CommandLine =
  | { readonly _tag: "Help"; readonly command: CommandInfo }
  | { readonly _tag: "Mistake"; readonly message: string }
  | { readonly _tag: "Run" }

/** Edit distance, with a swap of two neighbours counted as one edit (`crate` is one from `create`). */
const distance = (a: string, b: string): number => {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = best
    }
  }
  return rows[a.length]![b.length]!
}

/** The names close to `word`: within two edits (one for short words), or that it begins. */
export const suggestions = (word: string, names: ReadonlyArray<string>): Array<string> => {
  const allowed = word.length <= 3 ? 1 : 2
  const scored = names
    .map((name) => ({ name, score: name.startsWith(word) ? 0.5 : distance(word, name) }))
    .filter((candidate) => candidate.score <= allowed)
  return scored.sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : 1)).map((candidate) => candidate.name)
}

const nameOf = (command: CommandInfo) => command.path[command.path.length - 1]!

const unknownCommand = (group: CommandInfo, word: string): string => {
  const path = group.path.join(" ")
  const close = suggestions(word, group.subcommands.map(nameOf))
  const guess = close.length === 0 ? "" : `; did you mean ${close.map((name) => `\`${path} ${name}\``).join(" or ")}?`
  return `\`${word}\` is not a command of \`${path}\`${guess} (\`${path} --help\` lists them)`
}

const describe = (what: { readonly description: string }) => (what.description === "" ? "" : `: ${what.description}`)

/** The options and positional words of a command's part of the line, as far as they can be told apart. */
const split = (command: CommandInfo, words: ReadonlyArray<string>) => {
  const takesValue = new Set<string>()
  for (const option of command.options) {
    if (option.placeholder !== undefined) for (const name of [option.name, ...option.aliases]) takesValue.add(name)
  }
  const named = new Set<string>()
  /** Words of one dash and several letters: options clustered (`-tf`), or a value that starts with "-". */
  const clusters: Array<string> = []
  const positional: Array<string> = []
  /** Each value given, with the name it was given under. */
  const values: Array<readonly [string, string]> = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (word === "--") {
      positional.push(...words.slice(i + 1))
      break
    }
    if (word.startsWith("--")) {
      const equals = word.indexOf("=")
      const name = equals === -1 ? word : word.slice(0, equals)
      named.add(name)
      if (equals !== -1) values.push([name, word.slice(equals + 1)])
      else if (takesValue.has(name) && i + 1 < words.length) values.push([name, words[++i]!])
    } else if (word.startsWith("-") && word.length > 1) {
      if (word.length > 2) clusters.push(word)
      for (const letter of word.slice(1)) named.add(`-${letter}`)
      const last = `-${word.slice(-1)}`
      if (takesValue.has(last) && i + 1 < words.length) values.push([last, words[++i]!])
    } else {
      positional.push(word)
    }
  }
  return { named, clusters, positional, values }
}

// The very decoders @effect/cli checks these values with, so that both agree on every one.
const integerOf = Schema.decodeUnknownEither(Schema.compose(Schema.NumberFromString, Schema.Int))
const numberOf = Schema.decodeUnknownEither(Schema.NumberFromString)

/** What is wrong with `value` for an option of `kind`, in words that follow the option's name; undefined if nothing. */
const badValue = (kind: ValueKind, value: string): string | undefined => {
  switch (kind._tag) {
    case "Integer":
      return Either.isRight(integerOf(value)) ? undefined : `takes a whole number, not ${JSON.stringify(value)}`
    case "Float":
      return Either.isRight(numberOf(value)) ? undefined : `takes a number, not ${JSON.stringify(value)}`
    case "Choice":
      return kind.choices.includes(value)
        ? undefined
        : `takes ${kind.choices.slice(0, -1).join(", ")}${kind.choices.length > 1 ? " or " : ""}${kind.choices.at(-1)}, not ${JSON.stringify(value)}`
  }
}

/** Options @effect/cli gives every command, besides `--help`. */
const builtIn = ["--version", "--completions", "--log-level", "--wizard"]

const mistaken = (command: CommandInfo, words: ReadonlyArray<string>): string | undefined => {
  const { clusters, named, positional, values } = split(command, words)
  const path = command.path.join(" ")
  const usage = `(usage: ${usageLine(command)})`
  const known = command.options.flatMap((option) => [option.name, ...option.aliases])
  for (const word of clusters) {
    if ([...word.slice(1)].every((letter) => known.includes(`-${letter}`))) continue
    return `${word} is not an option; a value that starts with "-" goes after "--", as in: ${path} -- ${word}`
  }
  for (const name of named) {
    if (known.includes(name) || builtIn.includes(name)) continue
    const close = suggestions(name, known.filter((candidate) => candidate.startsWith("--")))
    const guess = close.length === 0 ? "" : `; did you mean ${close.join(" or ")}?`
    return `\`${path}\` has no option ${name}${guess} (\`${path} --help\` lists them)`
  }
  for (const [name, value] of values) {
    const option = command.options.find((candidate) => candidate.name === name || candidate.aliases.includes(name))
    const wrong = option?.value === undefined ? undefined : badValue(option.value, value)
    if (option !== undefined && wrong !== undefined) return `${option.name} ${wrong}${describe(option)} ${usage}`
  }
  // Words fill the arguments in order; one that repeats takes the rest, so the check stops there.
  for (const [index, arg] of command.args.entries()) {
    const word = positional[index]
    if (arg.repeated || word === undefined) break
    const wrong = arg.value === undefined ? undefined : badValue(arg.value, word)
    if (wrong !== undefined) return `${arg.name} ${wrong}${describe(arg)} ${usage}`
  }
  for (const option of command.options) {
    if (!option.required || [option.name, ...option.aliases].some((name) => named.has(name))) continue
    return `\`${path}\` needs ${option.name} ${option.placeholder}${describe(option)} ${usage}`
  }
  const required = command.args.filter((arg) => arg.required)
  const absent = required[positional.length]
  if (absent !== undefined) {
    const what = absent.description === "" ? "" : `: ${absent.description}`
    return `\`${path}\` needs ${absent.name}${what} ${usage}`
  }
  return undefined
}

/** Reads `argv` (the words after `knot`) against the command tree. */
export const readCommandLine = (tree: CommandInfo, argv: ReadonlyArray<string>): CommandLine => {
  let command = tree
  let at = 0
  for (; at < argv.length; at++) {
    const sub = command.subcommands.find((candidate) => nameOf(candidate) === argv[at])
    if (sub === undefined) break
    command = sub
  }
  const rest = argv.slice(at)
  const dashes = rest.indexOf("--")
  const ownWords = dashes === -1 ? rest : rest.slice(0, dashes)
  if (ownWords.includes("--help") || ownWords.includes("-h")) return { _tag: "Help", command }
  if (command.subcommands.length > 0) {
    const word = rest[0]
    if (word === undefined) return { _tag: "Help", command }
    return word.startsWith("-") ? { _tag: "Run" } : { _tag: "Mistake", message: unknownCommand(command, word) }
  }
  const mistake = mistaken(command, rest)
  return mistake === undefined ? { _tag: "Run" } : { _tag: "Mistake", message: mistake }
}
