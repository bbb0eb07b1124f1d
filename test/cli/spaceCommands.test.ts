import { expect, layer } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { TestApi } from "../http/apiHarness.ts"
import type { Output } from "./cliHarness.ts"
import { runKnot, startKnot } from "./cliHarness.ts"
import { cliTestNode, freshConfigPath } from "./cliEnvironment.ts"
import { brokenReason, brokenTemplate, flakyTemplate } from "./ownerStandIn.ts"

/** Waits (5 s at most) until what a running command printed matches. */
const printed = (output: Output, pattern: RegExp) =>
  Effect.try(() => expect(output.stdout.join("\n")).toMatch(pattern)).pipe(
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 250 }),
    Effect.orDie
  )

layer(cliTestNode, { excludeTestServices: true })("knot space", (it) => {
  /** The environment of a user `name` with a token, the templates web, broken and gpu in place. */
  const asUser = (name: string) =>
    Effect.gen(function*() {
      const api = yield* TestApi
      for (const template of [
        { name: "web" },
        { name: brokenTemplate },
        { name: flakyTemplate },
        { name: "gpu", zones: ["us-east"] }
      ]) {
        yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { image: "busybox", ...template } })
      }
      const token = yield* api.userWithToken(name)
      return { KNOT_SERVER: api.url, KNOT_TOKEN: token, KNOT_CONFIG: freshConfigPath() }
    })

  it.effect("create waits until the space runs, with its progress on stderr", () =>
    Effect.gen(function*() {
      const environment = yield* asUser("cara")
      const run = yield* runKnot(["space", "create", "cara-dev", "--template", "web"], environment)
      expect(run).toMatchObject({ exitCode: 0, stdout: "space cara-dev is running on node-a (eu-west)" })
      // Steps the node applies together reach the feed as one; what it shows is in order, from the request to the end.
      const shown = run.stderr.split("\n").map((line) => line.replace("space cara-dev: ", ""))
      expect(shown[0]).toBe("pending")
      expect(shown.at(-1)).toBe("running")
      expect(shown).toEqual(["pending", "creating", "starting", "running"].filter((state) => shown.includes(state)))
    }))

  it.effect("create --no-wait returns once the request is recorded", () =>
    Effect.gen(function*() {
      const environment = yield* asUser("noel")
      const run = yield* runKnot(["space", "create", "noel-dev", "-t", "web", "--no-wait", "--json"], environment)
      expect(run.exitCode).toBe(0)
      expect(run.stderr).toBe("")
      expect(JSON.parse(run.stdout)).toMatchObject({ name: "noel-dev", desired: "running", observed: "pending" })
    }))

  it.effect("a space that fails to start is one line on stderr and exit code 1", () =>
    Effect.gen(function*() {
      const environment = yield* asUser("bo")
      const run = yield* runKnot(["space", "create", "bo-dev", "--template", brokenTemplate], environment)
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toBe("")
      expect(run.stderr.split("\n").at(-1)).toBe(`error: space bo-dev failed: ${brokenReason}`)
    }))

  it.effect("a placement refused for its zones is one line naming them, and exit code 1", () =>
    Effect.gen(function*() {
      const environment = yield* asUser("zed")
      const run = yield* runKnot(["space", "create", "zed-gpu", "--template", "gpu"], environment)
      // A 503, so the line ends with the request id that finds it in the node's log.
      expect(run).toEqual({
        exitCode: 1,
        stdout: "",
        stderr: expect.stringMatching(/^error: no alive node in zones \[us-east\] for template gpu; request id [0-9a-f]{16}$/)
      })
    }))

  it.effect("list shows the user's spaces as a table", () =>
    Effect.gen(function*() {
      const environment = yield* asUser("tab")
      yield* runKnot(["space", "create", "tab-one", "-t", "web"], environment)
      yield* runKnot(["space", "create", "tab-two", "-t", "web", "--no-wait"], environment)
      const run = yield* runKnot(["space", "list"], environment)
      const [header, ...rows] = run.stdout.split("\n")
      expect(header).toMatch(/^NAME\s+STATUS\s+TEMPLATE\s+OWNER\s+NODE\s+ZONE$/)
      expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(["tab-one", "tab-two"])
      expect(rows[0]).toMatch(/^tab-one\s+running\s+web\s+tab\s+node-a\s+eu-west$/)
    }))

  it.effect("list --json prints what the API returns", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const environment = yield* asUser("jay")
      yield* runKnot(["space", "create", "jay-dev", "-t", "web"], environment)
      const run = yield* runKnot(["space", "list", "--json"], environment)
      const fromApi = yield* api.request("GET", "/api/spaces", { token: environment.KNOT_TOKEN })
      expect(JSON.parse(run.stdout)).toEqual(fromApi.body)
    }))

  it.effect("stop waits until the space has stopped, start until it runs again", () =>
    Effect.gen(function*() {
      const environment = yield* asUser("sam")
      yield* runKnot(["space", "create", "sam-dev", "-t", "web"], environment)
      const stopped = yield* runKnot(["space", "stop", "sam-dev"], environment)
      expect(stopped.stdout).toBe("space sam-dev is stopped on node-a (eu-west)")
      const started = yield* runKnot(["space", "start", "sam-dev"], environment)
      expect(started.stdout).toBe("space sam-dev is running on node-a (eu-west)")
    }))

  it.effect("start after a failed try waits for the new try, not the failure the last one left", () =>
    Effect.gen(function*() {
      const environment = yield* asUser("fitz")
      const failed = yield* runKnot(["space", "create", "fitz-dev", "-t", flakyTemplate], environment)
      expect(failed.exitCode).toBe(1)
      const started = yield* runKnot(["space", "start", "fitz-dev"], environment)
      expect(started).toMatchObject({ exitCode: 0, stdout: "space fitz-dev is running on node-a (eu-west)" })
    }))

  it.scoped("list --watch prints the table, then a change made elsewhere as it happens", () =>
    Effect.gen(function*() {
      const environment = yield* asUser("wes")
      yield* runKnot(["space", "create", "wes-one", "-t", "web"], environment)
      const watching = yield* startKnot(["space", "list", "--watch"], environment)
      yield* printed(watching, /^wes-one\s+running/m)
      yield* runKnot(["space", "stop", "wes-one", "--no-wait"], environment)
      yield* printed(watching, /wes\/wes-one {2}stopped/)
      yield* runKnot(["space", "create", "wes-two", "-t", "web", "--no-wait"], environment)
      yield* printed(watching, /wes\/wes-two {2}(pending|creating|starting|running)/)
      expect(watching.stderr).toEqual([])
    }))

  it.effect("get shows one space, field by field", () =>
    Effect.gen(function*() {
      const environment = yield* asUser("gil")
      yield* runKnot(["space", "create", "gil-dev", "-t", "web"], environment)
      const run = yield* runKnot(["space", "get", "gil-dev"], environment)
      expect(run.stdout).toContain("name:     gil-dev")
      expect(run.stdout).toContain("status:   running")
      expect(run.stdout).toContain("owner:    gil")
    }))

  it.effect("delete of another user's space is refused in one line", () =>
    Effect.gen(function*() {
      const owner = yield* asUser("own")
      yield* runKnot(["space", "create", "own-dev", "-t", "web", "--no-wait"], owner)
      const other = yield* asUser("oth")
      const run = yield* runKnot(["space", "delete", "own/own-dev"], other)
      expect(run).toEqual({ exitCode: 1, stdout: "", stderr: "error: space own/own-dev belongs to another user" })
    }))

  it.effect("a bare name is one of the caller's own spaces, never another user's", () =>
    Effect.gen(function*() {
      const owner = yield* asUser("mine")
      yield* runKnot(["space", "create", "mine-dev", "-t", "web", "--no-wait"], owner)
      const other = yield* asUser("yours")
      const run = yield* runKnot(["space", "get", "mine-dev"], other)
      expect(run).toEqual({ exitCode: 1, stdout: "", stderr: "error: no space yours/mine-dev; see `knot space list`" })
    }))

  it.effect("delete asks for the space's removal", () =>
    Effect.gen(function*() {
      const environment = yield* asUser("del")
      yield* runKnot(["space", "create", "del-dev", "-t", "web", "--no-wait"], environment)
      const run = yield* runKnot(["space", "delete", "del-dev"], environment)
      expect(run).toMatchObject({ exitCode: 0, stdout: "space del-dev: deletion requested; its node removes the container" })
    }))
})
