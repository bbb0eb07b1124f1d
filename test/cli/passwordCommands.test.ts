/**
 * `knot user passwd` as a person runs it: the real command as a process, passwords on standard
 * input one per line (as a script pipes them; a terminal would be asked without echo), against
 * a test node. Your own password needs the current one; an admin sets anyone's; a repeat that
 * differs changes nothing; a leaf sends you to the cluster.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { makeTestApi, makeTestApiOf, TestApi } from "../http/apiHarness.ts"
import { send } from "../http/browserClient.ts"
import { freshConfigPath } from "./cliEnvironment.ts"

const knotBin = fileURLToPath(new URL("../../bin/knot.js", import.meta.url))

/** `knot ...args` as a child process, `stdin` piped in. */
const knot = (args: ReadonlyArray<string>, stdin: string, environment: Record<string, string>) =>
  Effect.async<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resume) => {
    const child = spawn(process.execPath, [knotBin, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...environment },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    child.stdin.end(stdin)
  })

/** `name` with a token and the password `password`; the environment to run knot as them. */
const account = (name: string, password: string | undefined, role: "admin" | "user" = "user") =>
  Effect.gen(function*() {
    const api = yield* TestApi
    const token = yield* api.userWithToken(name, role)
    if (password !== undefined) {
      expect((yield* send(api.url, "PUT", `/api/users/${name}/password`, { token: api.adminToken, json: { password } })).status).toBe(204)
    }
    return { KNOT_SERVER: api.url, KNOT_TOKEN: token, KNOT_CONFIG: freshConfigPath() }
  })

const signsIn = (name: string, password: string) =>
  Effect.flatMap(TestApi, (api) =>
    Effect.map(send(api.url, "POST", "/api/sessions", { json: { name, password } }), (answer) => answer.status === 201))

layer(makeTestApi, { excludeTestServices: true })("knot user passwd", (it) => {
  it.effect("changes your own password, given the current one", () =>
    Effect.gen(function*() {
      const asAlice = yield* account("alice", "old password")
      const run = yield* knot(["user", "passwd"], "new password\nnew password\nold password\n", asAlice)
      expect(run).toEqual({ code: 0, stdout: "password of alice set; their other browser sessions are signed out\n", stderr: "" })
      expect(yield* signsIn("alice", "new password")).toBe(true)
      expect(yield* signsIn("alice", "old password")).toBe(false)
    }), 60_000)

  it.effect("refuses to change your own password without the current one", () =>
    Effect.gen(function*() {
      const asBea = yield* account("bea", "old password")
      const run = yield* knot(["user", "passwd"], "new password\nnew password\n\n", asBea)
      expect(run.code).toBe(1)
      expect(run.stderr).toBe("error: changing your own password needs the current one (`currentPassword`); an admin can set it without\n")
      expect(yield* signsIn("bea", "old password")).toBe(true)
    }), 60_000)

  it.effect("lets an admin set another user's password without theirs", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* account("cyd", "cyd's old password")
      const asAdmin = { KNOT_SERVER: api.url, KNOT_TOKEN: api.adminToken, KNOT_CONFIG: freshConfigPath() }
      const run = yield* knot(["user", "passwd", "cyd"], "set by admin\nset by admin\n", asAdmin)
      expect(run).toEqual({ code: 0, stdout: "password of cyd set; their other browser sessions are signed out\n", stderr: "" })
      expect(yield* signsIn("cyd", "set by admin")).toBe(true)
    }), 60_000)

  it.effect("does not let a plain user set another user's password", () =>
    Effect.gen(function*() {
      yield* account("dan", "dan's password")
      const asEve = yield* account("eve", undefined)
      const run = yield* knot(["user", "passwd", "dan"], "eve was here\neve was here\n", asEve)
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/^error: .*dan/)
      expect(yield* signsIn("dan", "dan's password")).toBe(true)
    }), 60_000)

  it.effect("changes nothing when the repeated password differs", () =>
    Effect.gen(function*() {
      const asFay = yield* account("fay", "old password")
      const run = yield* knot(["user", "passwd"], "new password\nnew pasword\nold password\n", asFay)
      expect(run).toEqual({ code: 1, stdout: "", stderr: "error: the two passwords differ; nothing changed\n" })
      expect(yield* signsIn("fay", "old password")).toBe(true)
    }), 60_000)
})

describe("knot user passwd on a leaf", () => {
  const origin = "c".repeat(64)
  const leaf = makeTestApiOf({
    mode: "leaf",
    originLink: {
      status: Effect.succeed({ origin, state: "connected", since: 0 }),
      changes: Stream.never,
      linked: () => Effect.void,
      lost: Effect.void,
      refused: () => Effect.void
    }
  })

  it.scopedLive("refuses, saying to set it on the cluster through the origin", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const asAdmin = { KNOT_SERVER: api.url, KNOT_TOKEN: api.adminToken, KNOT_CONFIG: freshConfigPath() }
      yield* account("gus", undefined)
      const run = yield* knot(["user", "passwd", "gus"], "a new password\na new password\n", asAdmin)
      expect(run).toEqual({
        code: 1,
        stdout: "",
        stderr: `error: passwords are set on the cluster; set it on the origin node ${origin}\n`
      })
      expect(yield* signsIn("gus", "a new password")).toBe(false)
    }).pipe(Effect.provide(leaf)), 60_000)
})
