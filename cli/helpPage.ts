/**
 * A command's help page, as git, docker and gh write theirs: the whole command in the usage
 * line, its description, one line per argument and option saying what it means, its
 * subcommands, and examples. Plain text, so a pipe or a file gets no escape codes.
 */
import type { CommandInfo, OptionInfo } from "./commandTree.ts"

const helpOption: OptionInfo = {
  name: "--help",
  aliases: ["-h"],
  placeholder: undefined,
  description: "show this help",
  required: false
}

const versionOption: OptionInfo = {
  name: "--version",
  aliases: [],
  placeholder: undefined,
  description: "print knot's version",
  required: false
}

const optionNames = (option: OptionInfo) => {
  const names = [...option.aliases, option.name].join(", ")
  return `${option.aliases.length === 0 ? "    " : ""}${names}${option.placeholder === undefined ? "" : ` ${option.placeholder}`}`
}

const argUsage = (arg: CommandInfo["args"][number]) => {
  const shown = arg.repeated ? `${arg.name}...` : arg.name
  return arg.required ? shown : `[${shown}]`
}

/** `knot space create NAME --template TEMPLATE [options]`, `knot space COMMAND`. */
export const usageLine = (command: CommandInfo): string => {
  const path = command.path.join(" ")
  if (command.subcommands.length > 0) return `${path} COMMAND`
  const required = command.options.filter((option) => option.required).map((option) => `${option.name} ${option.placeholder}`)
  const optional = command.options.some((option) => !option.required) ? ["[options]"] : []
  // A command to run in a space comes last, after "--", so that its options are not taken for knot's.
  const isCommand = (arg: CommandInfo["args"][number]) => arg.repeated && arg.name === "COMMAND"
  const args = command.args.filter((arg) => !isCommand(arg)).map(argUsage)
  const commandToRun = command.args.filter(isCommand).map((arg) => `-- ${argUsage(arg)}`)
  return [path, ...args, ...required, ...optional, ...commandToRun].join(" ")
}

/** Two columns: names padded to one width (a name longer than 32 characters pushes its own line's text along). */
const columns = (rows: ReadonlyArray<readonly [string, string]>) => {
  const width = Math.min(Math.max(...rows.map(([left]) => left.length)), 32)
  return rows.map(([left, right]) => (right === "" ? `  ${left}` : `  ${left.padEnd(width)}  ${right}`))
}

/** A description's first sentence: what a list of commands shows. */
const summary = (description: string) => description.split(/(?<=\.) /, 1)[0]!

const section = (title: string, lines: ReadonlyArray<string>) => (lines.length === 0 ? [] : ["", `${title}:`, ...lines])

export const helpPage = (command: CommandInfo, examples: ReadonlyArray<string>): string => {
  const isRoot = command.path.length === 1
  const options = [...command.options, helpOption, ...(isRoot ? [versionOption] : [])]
  const lines = [
    `Usage: ${usageLine(command)}`,
    "",
    command.description,
    ...section(
      "Commands",
      columns(command.subcommands.map((sub) => [sub.path[sub.path.length - 1]!, summary(sub.description)] as const))
    ),
    ...section(
      "Arguments",
      columns(command.args.filter((arg) => arg.description !== "").map((arg) => [arg.name, arg.description] as const))
    ),
    ...section("Options", columns(options.map((option) => [optionNames(option), option.description] as const))),
    ...section("Examples", examples.map((example) => `  ${example}`)),
    ...(command.subcommands.length > 0
      ? ["", `Run \`${command.path.join(" ")} COMMAND --help\` for what a command takes.`]
      : [])
  ]
  return lines.join("\n")
}
