import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { commandExamples } from "../../cli/commandExamples.ts"
import { readCommandLine, suggestions } from "../../cli/commandLine.ts"
import { commandTree, everyCommand } from "../../cli/commandTree.ts"
import { helpPage, usageLine } from "../../cli/helpPage.ts"
import { knotCommand } from "../../cli/knotCommand.ts"

const run = promisify(execFile)
const knotBin = new URL("../../bin/knot.js", import.meta.url).pathname
const tree = commandTree(knotCommand)
const commands = everyCommand(tree)
const named = (path: string) => commands.find((command) => command.path.join(" ") === path)!
const examplesOf = (path: ReadonlyArray<string>) => commandExamples[path.slice(1).join(" ")] ?? []
const pageOf = (path: string) => helpPage(named(path), examplesOf(named(path).path))

/** What @effect/cli's own help says of every option, and knot's help must not. */
const boilerplate = [
  "A user-defined piece of text",
  "This setting is optional",
  "A true or false value",
  "--wizard",
  "--completions",
  "--log-level",
  "redacted"
]

describe("knot's help", () => {
  it("names the whole command in the usage line, arguments first, then required options", () => {
    expect(usageLine(named("knot space create"))).toBe("knot space create NAME --template TEMPLATE [options]")
    expect(usageLine(named("knot space exec"))).toBe("knot space exec SPACE [options] -- COMMAND...")
    expect(usageLine(named("knot space"))).toBe("knot space COMMAND")
    expect(pageOf("knot space create").split("\n")[0]).toBe("Usage: knot space create NAME --template TEMPLATE [options]")
  })

  it("gives each option one line with its meaning, and none of @effect/cli's boilerplate", () => {
    const page = pageOf("knot space create")
    expect(page).toMatch(/^ {2}-t, --template TEMPLATE +the template to start it from$/m)
    expect(page).toMatch(/^ {6}--server URL +URL of a knot node's API/m)
    expect(page).toMatch(/^ {6}--no-wait +return once the request is recorded/m)
    for (const command of commands) {
      const text = helpPage(command, examplesOf(command.path))
      for (const phrase of boilerplate) expect(text, command.path.join(" ")).not.toContain(phrase)
    }
  })

  it("has two or three examples for every command, each a knot command line", () => {
    for (const command of commands) {
      const examples = examplesOf(command.path)
      expect(examples.length, command.path.join(" ")).toBeGreaterThanOrEqual(2)
      expect(examples.length, command.path.join(" ")).toBeLessThanOrEqual(3)
      for (const example of examples) expect(example).toMatch(/(^|\| )knot /)
    }
  })

  it("has examples only for commands that exist", () => {
    const paths = new Set(commands.map((command) => command.path.slice(1).join(" ")))
    expect(Object.keys(commandExamples).filter((path) => !paths.has(path))).toEqual([])
  })

  it("lists a group's commands by the first sentence of each description", () => {
    expect(pageOf("knot")).toMatch(/^ {2}server +Run a knot node until SIGINT\/SIGTERM\.$/m)
    expect(pageOf("knot space")).toMatch(/^ {2}create +create a space from a template and wait until it runs$/m)
  })

  it("is written to a pipe as plain text, with no escape codes", async () => {
    const { stdout } = await run(process.execPath, [knotBin, "space", "create", "--help"])
    expect(stdout.split("\n")[0]).toBe("Usage: knot space create NAME --template TEMPLATE [options]")
    expect(stdout).not.toContain("\u001b[")
  }, 30_000)
})

describe("reading a command line before it is parsed", () => {
  it("asks for the help of the command named before --help, wherever --help stands", () => {
    expect(readCommandLine(tree, ["space", "create", "dev", "--help"])).toMatchObject({ _tag: "Help", command: named("knot space create") })
    expect(readCommandLine(tree, ["space", "-h"])).toMatchObject({ _tag: "Help", command: named("knot space") })
    expect(readCommandLine(tree, ["space"])).toMatchObject({ _tag: "Help", command: named("knot space") })
  })

  it("leaves a --help after -- to the command run in the space", () => {
    expect(readCommandLine(tree, ["space", "exec", "dev", "--", "ls", "--help"])).toEqual({ _tag: "Run" })
  })

  it("suggests the command a mistyped one may have meant", () => {
    expect(readCommandLine(tree, ["space", "crate", "dev"])).toEqual({
      _tag: "Mistake",
      message: "`crate` is not a command of `knot space`; did you mean `knot space create`? (`knot space --help` lists them)"
    })
    expect(readCommandLine(tree, ["spce", "list"])).toMatchObject({ message: expect.stringContaining("did you mean `knot space`?") })
  })

  it("says only that a command is unknown when nothing is close to it", () => {
    expect(readCommandLine(tree, ["space", "frobnicate"])).toEqual({
      _tag: "Mistake",
      message: "`frobnicate` is not a command of `knot space` (`knot space --help` lists them)"
    })
  })

  it("names a missing required option, what it is for, and the usage line", () => {
    expect(readCommandLine(tree, ["login"])).toEqual({
      _tag: "Mistake",
      message: "`knot login` needs --token TOKEN: the API token to use from now on (usage: knot login --token TOKEN [options])"
    })
    expect(readCommandLine(tree, ["sim", "fuzz", "--seeds", "10"])).toMatchObject({
      message: expect.stringMatching(/^`knot sim fuzz` needs --scenario SCENARIO: the scenario to play/)
    })
  })

  it("names a missing argument", () => {
    expect(readCommandLine(tree, ["space", "create", "--template", "shell"])).toMatchObject({
      message: expect.stringMatching(/^`knot space create` needs NAME: a name for the space/)
    })
  })

  it("names an option the command does not know, and the one it may have meant", () => {
    expect(readCommandLine(tree, ["space", "list", "--jsn"])).toEqual({
      _tag: "Mistake",
      message: "`knot space list` has no option --jsn; did you mean --json? (`knot space list --help` lists them)"
    })
  })

  it("names an option whose value is not one of its choices, and the choices", () => {
    expect(readCommandLine(tree, ["sim", "run", "--scenario", "swarm", "--seed", "1", "--links", "mesh"])).toMatchObject({
      _tag: "Mistake",
      message: expect.stringMatching(/^--links takes full-mesh or view, not "mesh": how cluster nodes reach each other/)
    })
  })

  it("names an option whose value is not a whole number, in either form", () => {
    for (const words of [["--seed", "abc"], ["--seed=1.5"]]) {
      expect(readCommandLine(tree, ["sim", "run", "--scenario", "swarm", ...words])).toMatchObject({
        _tag: "Mistake",
        message: expect.stringMatching(/^--seed takes a whole number, not "(abc|1\.5)": the seed that decides everything in the run \(usage: knot sim run/)
      })
    }
  })

  it("names an option whose value is not a number", () => {
    expect(readCommandLine(tree, ["quota", "set", "alice", "--cpus", "two"])).toMatchObject({
      message: expect.stringMatching(/^--cpus takes a number, not "two"/)
    })
  })

  it("names an argument whose value is not one of its choices", () => {
    expect(readCommandLine(tree, ["user", "set-role", "alice", "boss"])).toEqual({
      _tag: "Mistake",
      message: 'ROLE takes user or admin, not "boss": user or admin (usage: knot user set-role NAME ROLE [options])'
    })
  })

  it("passes on the values @effect/cli takes: a negative whole number, a decimal, a choice", () => {
    expect(readCommandLine(tree, ["sim", "run", "--scenario", "swarm", "--seed", "-5", "--links", "view"])).toEqual({ _tag: "Run" })
    expect(readCommandLine(tree, ["quota", "set", "alice", "--cpus", "1.5"])).toEqual({ _tag: "Run" })
    expect(readCommandLine(tree, ["user", "set-role", "alice", "admin"])).toEqual({ _tag: "Run" })
  })

  it("tells a value that starts with \"-\" to go after --", () => {
    expect(readCommandLine(tree, ["space", "create", "-leading", "-t", "shell"])).toEqual({
      _tag: "Mistake",
      message: '-leading is not an option; a value that starts with "-" goes after "--", as in: knot space create -- -leading'
    })
  })

  it("passes a complete command line on to the parser, with values in either form", () => {
    expect(readCommandLine(tree, ["space", "create", "dev", "-t", "shell"])).toEqual({ _tag: "Run" })
    expect(readCommandLine(tree, ["space", "create", "dev", "--template=shell", "--no-wait"])).toEqual({ _tag: "Run" })
    expect(readCommandLine(tree, ["--version"])).toEqual({ _tag: "Run" })
  })

  it("suggests by edit distance, counting a swap of neighbours as one edit, and by prefix", () => {
    expect(suggestions("crate", ["create", "list", "delete"])).toEqual(["create"])
    expect(suggestions("lsit", ["list", "get"])).toEqual(["list"])
    expect(suggestions("temp", ["template", "token"])).toEqual(["template"])
    expect(suggestions("zzz", ["list", "get"])).toEqual([])
  })
})
