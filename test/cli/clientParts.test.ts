import { HelpDoc, ValidationError } from "@effect/cli"
import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, Duration, Effect, Either, FiberId } from "effect"
import { CliFailure, failureLine } from "../../cli/client/cliFailure.ts"
import { cliConfigPath } from "../../cli/client/cliConfigFile.ts"
import { normalizeServer } from "../../cli/client/connection.ts"
import { Progress } from "../../cli/client/progress.ts"
import { renderFields, renderTable } from "../../cli/client/table.ts"

const withEnvironment = (variables: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(variables))))

describe("renderTable", () => {
  it("pads every column but the last to its widest cell", () => {
    const table = renderTable(
      [{ header: "NAME", cell: (row: readonly [string, string]) => row[0] }, { header: "STATE", cell: (row) => row[1] }],
      [["a-long-name", "running"], ["b", "stopped"]]
    )
    expect(table).toBe(["NAME         STATE", "a-long-name  running", "b            stopped"].join("\n"))
  })

  it("renderFields aligns the values of one record", () => {
    expect(renderFields([["name", "web"], ["template", "base"]])).toBe("name:     web\ntemplate: base")
  })
})

describe("failureLine", () => {
  it("is the failure's message after `error: `, whole: a config's problems are one a line", () => {
    expect(failureLine(Cause.fail(new CliFailure({ message: "config k.toml has 2 problems:\n  a\n  b" })))).toBe(
      "error: config k.toml has 2 problems:\n  a\n  b"
    )
  })

  it("says what to do with a value that starts with \"-\", which @effect/cli leaves unexplained", () => {
    const error = ValidationError.unclusteredFlag(HelpDoc.empty, ["-l", "-e", "-a", "-d"], [])
    expect(failureLine(Cause.fail(error))).toBe(
      'error: -lead is not an option; a value that starts with "-" goes after "--", as in: knot ... -- -lead'
    )
  })

  it("adds nothing to a bad command line, which @effect/cli has explained", () => {
    expect(failureLine(Cause.fail(ValidationError.missingValue(HelpDoc.p("--template is missing"))))).toBeUndefined()
  })

  it("says a defect is a bug and how to see more, without its stack", () => {
    const line = failureLine(Cause.die(new Error("boom")))
    expect(line).toBe("error: knot failed unexpectedly (boom); run again with KNOT_DEBUG=1 for details")
  })

  it("stays quiet on an interrupt (Ctrl-C)", () => {
    expect(failureLine(Cause.interrupt(FiberId.none))).toBeUndefined()
  })
})

describe("normalizeServer", () => {
  it("reads host:port as an http URL", () => {
    expect(normalizeServer("127.0.0.1:3000")).toEqual(Either.right("http://127.0.0.1:3000"))
  })

  it("drops a trailing slash", () => {
    expect(normalizeServer("https://knot.example.com/")).toEqual(Either.right("https://knot.example.com"))
  })

  it("refuses a URL that is not http(s)", () => {
    expect(Either.getLeft(normalizeServer("ftp://host")).pipe((left) => left._tag === "Some" && left.value.message))
      .toBe("ftp://host is not an http(s) URL")
  })
})

describe("cliConfigPath", () => {
  it.effect("is KNOT_CONFIG when set", () =>
    Effect.map(cliConfigPath.pipe(withEnvironment({ KNOT_CONFIG: "/etc/knot.toml", HOME: "/home/a" })), (path) =>
      expect(path).toBe("/etc/knot.toml")))

  it.effect("is under XDG_CONFIG_HOME when set", () =>
    Effect.map(cliConfigPath.pipe(withEnvironment({ XDG_CONFIG_HOME: "/x", HOME: "/home/a" })), (path) =>
      expect(path).toBe("/x/knot/cli.toml")))

  it.effect("is ~/.config/knot/cli.toml otherwise", () =>
    Effect.map(cliConfigPath.pipe(withEnvironment({ HOME: "/home/a" })), (path) =>
      expect(path).toBe("/home/a/.config/knot/cli.toml")))
})

describe("Progress", () => {
  const captured = () => {
    const errors: Array<string> = []
    return { errors, console: { error: (...line: ReadonlyArray<unknown>) => Effect.sync(() => void errors.push(line.join(" "))) } }
  }

  it.effect("lines: one line per new status, none for a repeated one", () =>
    Effect.gen(function*() {
      const { errors, console } = captured()
      const base = yield* Effect.console
      yield* Effect.flatMap(Progress, (progress) =>
        progress.during("space web", (report) => Effect.forEach(["pending", "pending", "running"], report))).pipe(
          Effect.provide(Progress.lines),
          Effect.withConsole({ ...base, ...console })
        )
      expect(errors).toEqual(["space web: pending", "space web: running"])
    }))

  it.live("spinner: redraws the label and status in place, and clears its line at the end", () =>
    Effect.gen(function*() {
      const writes: Array<string> = []
      const stream = { write: (chunk: string) => writes.push(chunk) > 0 }
      yield* Effect.flatMap(Progress, (progress) =>
        progress.during("space web", (report) =>
          Effect.zipRight(report("starting"), Effect.sleep(Duration.millis(200))))).pipe(
          Effect.provide(Progress.spinner(stream))
        )
      expect(writes.some((chunk) => /^\r\x1b\[K. space web: starting$/.test(chunk))).toBe(true)
      expect(writes.at(-1)).toBe("\r\x1b[K")
    }))
})
