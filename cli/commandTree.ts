/**
 * The `knot` command tree as plain data: each command's path, description, options and
 * arguments, read from the descriptors @effect/cli builds. Help pages (helpPage.ts) and the
 * reading of mistyped command lines (commandLine.ts) are written from it, since @effect/cli's
 * own help cannot be shaped (boilerplate per option, `$ create` for a usage line, no examples).
 *
 * @effect/cli does not export its descriptors' shapes, so they are read by their `_tag`s here
 * alone; test/cli/help.test.ts renders every command, so a change of shape fails there.
 */
export interface OptionInfo {
  /** The long name with its dashes, e.g. `--template`. */
  readonly name: string
  /** One-letter aliases with their dash, e.g. `-t`. */
  readonly aliases: ReadonlyArray<string>
  /** What its value looks like (`TEMPLATE`); undefined for a flag. */
  readonly placeholder: string | undefined
  readonly description: string
  readonly required: boolean
  /** What its value must be, where @effect/cli checks that; absent for any text. */
  readonly value?: ValueKind
}

/**
 * A value that @effect/cli refuses without naming the option or argument it was given for
 * ("'x' is not a integer"): the command line is read against it first (commandLine.ts).
 */
export type ValueKind =
  | { readonly _tag: "Integer" }
  | { readonly _tag: "Float" }
  | { readonly _tag: "Choice"; readonly choices: ReadonlyArray<string> }

export interface ArgInfo {
  /** As shown in a usage line, e.g. `NAME`. */
  readonly name: string
  readonly description: string
  readonly required: boolean
  readonly repeated: boolean
  /** What it must be, where @effect/cli checks that; absent for any text. */
  readonly value?: ValueKind
}

export interface CommandInfo {
  /** From `knot` down, e.g. ["knot", "space", "create"]. */
  readonly path: ReadonlyArray<string>
  readonly description: string
  readonly options: ReadonlyArray<OptionInfo>
  readonly args: ReadonlyArray<ArgInfo>
  readonly subcommands: ReadonlyArray<CommandInfo>
}

// The shapes below are @effect/cli's internal ones (internal/commandDescriptor.ts, options.ts, args.ts).
interface Node {
  readonly _tag: string
  readonly [key: string]: unknown
}

const field = (node: Node, key: string) => node[key] as Node

/** The text of a HelpDoc or Span, without styling. */
const plainText = (doc: unknown): string => {
  if (doc === null || typeof doc !== "object") return ""
  const node = doc as Node
  switch (node._tag) {
    case "Text":
    case "Code":
    case "URI":
      return String(node["value"])
    case "Paragraph":
    case "Header":
    case "Error":
    case "Weak":
    case "Strong":
      return plainText(node["value"])
    case "Sequence":
      return [plainText(node["left"]), plainText(node["right"])].filter((text) => text !== "").join(" ")
    default:
      return ""
  }
}

const pseudoName = (node: Node): string | undefined => {
  const option = node["pseudoName"] as { readonly _tag: string; readonly value?: string } | undefined
  return option?._tag === "Some" ? option.value : undefined
}

const valueKind = (primitive: Node): ValueKind | undefined => {
  switch (primitive._tag) {
    case "Integer":
    case "Float":
      return { _tag: primitive._tag }
    case "Choice":
      return {
        _tag: "Choice",
        choices: (primitive["alternatives"] as ReadonlyArray<readonly [string, unknown]>).map(([choice]) => choice)
      }
    default:
      return undefined
  }
}

const placeholderOf = (name: string) => name.replace(/^-+/, "").replace(/-/g, "_").toUpperCase()

const options = (node: Node, required: boolean): Array<OptionInfo> => {
  switch (node._tag) {
    case "Single": {
      const primitive = field(node, "primitiveType")
      const flag = primitive._tag === "Bool"
      const value = valueKind(primitive)
      return [{
        name: String(node["fullName"]),
        aliases: (node["aliases"] as ReadonlyArray<string>).map((alias) => (alias.length === 1 ? `-${alias}` : `--${alias}`)),
        placeholder: flag ? undefined : placeholderOf(pseudoName(node) ?? String(node["name"])),
        description: plainText(node["description"]),
        required: required && !flag,
        ...(value === undefined ? {} : { value })
      }]
    }
    case "KeyValueMap":
      return options(field(node, "argumentOption"), required).map((option) => ({ ...option, placeholder: "KEY=VALUE" }))
    case "Variadic": {
      const min = node["min"] as { readonly _tag: string; readonly value?: number }
      return options(field(node, "argumentOption"), required && min._tag === "Some" && (min.value ?? 0) > 0)
    }
    case "Map":
      return options(field(node, "options"), required)
    case "Both":
      return [...options(field(node, "left"), required), ...options(field(node, "right"), required)]
    case "OrElse":
      return [...options(field(node, "left"), false), ...options(field(node, "right"), false)]
    case "WithDefault":
    case "WithFallback":
      return options(field(node, "options"), false)
    default:
      return []
  }
}

const args = (node: Node, required: boolean, repeated: boolean): Array<ArgInfo> => {
  switch (node._tag) {
    case "Single": {
      const value = valueKind(field(node, "primitiveType"))
      return [{
        name: placeholderOf(String(node["name"]).replace(/^<|>$/g, "")),
        description: plainText(node["description"]),
        required,
        repeated,
        ...(value === undefined ? {} : { value })
      }]
    }
    case "Map":
      return args(field(node, "args"), required, repeated)
    case "Both":
      return [...args(field(node, "left"), required, repeated), ...args(field(node, "right"), required, repeated)]
    case "Variadic": {
      const min = node["min"] as { readonly _tag: string; readonly value?: number }
      return args(field(node, "args"), required && min._tag === "Some" && (min.value ?? 0) > 0, true)
    }
    case "WithDefault":
    case "WithFallbackConfig":
      return args(field(node, "args"), false, repeated)
    default:
      return []
  }
}

const build = (node: Node, parentPath: ReadonlyArray<string>): CommandInfo => {
  switch (node._tag) {
    case "Map":
      return build(field(node, "command"), parentPath)
    case "Subcommands": {
      const parent = build(field(node, "parent"), parentPath)
      const children = node["children"] as ReadonlyArray<Node>
      return { ...parent, subcommands: children.map((child) => build(child, parent.path)) }
    }
    case "Standard":
    case "GetUserInput": {
      const path = [...parentPath, String(node["name"])]
      return {
        path,
        description: plainText(node["description"]),
        options: node._tag === "Standard" ? options(field(node, "options"), true) : [],
        args: node._tag === "Standard" ? args(field(node, "args"), true, false) : [],
        subcommands: []
      }
    }
    default:
      throw new Error(`cannot read an @effect/cli command descriptor of kind ${node._tag}`)
  }
}

/** The tree of `command` and everything under it. */
export const commandTree = (command: { readonly descriptor: unknown }): CommandInfo =>
  build(command.descriptor as Node, [])

/** Every command of the tree, depth first, `tree` itself included. */
export const everyCommand = (tree: CommandInfo): Array<CommandInfo> => [
  tree,
  ...tree.subcommands.flatMap(everyCommand)
]
