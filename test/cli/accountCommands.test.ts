import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestApi } from "../http/apiHarness.ts"
import { runKnot } from "./cliHarness.ts"
import { cliTestNode, freshConfigPath } from "./cliEnvironment.ts"

layer(cliTestNode, { excludeTestServices: true })("knot user and quota commands", (it) => {
  const asAdmin = Effect.map(TestApi, (api) => ({
    KNOT_SERVER: api.url,
    KNOT_TOKEN: api.adminToken,
    KNOT_CONFIG: freshConfigPath()
  }))

  it.effect("user disable says what it did, and user list shows the account disabled", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.userWithToken("dora")
      const environment = yield* asAdmin
      const disabled = yield* runKnot(["user", "disable", "dora"], environment)
      expect(disabled).toEqual({
        exitCode: 0,
        stdout: "user dora disabled; their tokens no longer work and their running spaces stop",
        stderr: ""
      })
      const listed = yield* runKnot(["user", "list"], environment)
      expect(listed.stdout.split("\n").find((line) => line.startsWith("dora"))).toMatch(/^dora\s+user\s+disabled$/)
    }))

  it.effect("user set-role makes a user an admin, in one line", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.userWithToken("olga")
      const run = yield* runKnot(["user", "set-role", "olga", "admin"], yield* asAdmin)
      expect(run).toEqual({ exitCode: 0, stdout: "user olga is now an admin", stderr: "" })
    }))

  it.effect("an admin disabling their own account is one line saying another admin can", () =>
    Effect.gen(function*() {
      const run = yield* runKnot(["user", "disable", "root"], yield* asAdmin)
      expect(run).toEqual({ exitCode: 1, stdout: "", stderr: "error: an admin cannot disable their own account; another admin can" })
    }))

  it.effect("quota set prints the quota it set, and quota list shows it", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.userWithToken("pia")
      const environment = yield* asAdmin
      const set = yield* runKnot(["quota", "set", "pia", "--max-spaces", "2", "--max-running", "1", "--memory-mb", "512"], environment)
      expect(set).toEqual({ exitCode: 0, stdout: "pia's quota: 2 spaces, 1 running, 512 MB by default", stderr: "" })
      const listed = yield* runKnot(["quota", "list"], environment)
      expect(listed.stdout.split("\n").find((line) => line.startsWith("pia"))).toMatch(/^pia\s+2 spaces, 1 running, 512 MB by default$/)
    }))

  it.effect("quota set default sets the cluster's default", () =>
    Effect.gen(function*() {
      const run = yield* runKnot(["quota", "set", "default", "--max-spaces", "10"], yield* asAdmin)
      expect(run.stdout).toBe("the cluster's default quota: 10 spaces")
    }))

  it.effect("token list --all shows every user's tokens to an admin", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.userWithToken("quinn")
      const run = yield* runKnot(["token", "list", "--all"], yield* asAdmin)
      expect(run.exitCode).toBe(0)
      expect(run.stdout).toMatch(/\squinn\s/)
    }))
})
