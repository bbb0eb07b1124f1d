/**
 * A stream the node refuses before the upgrade names its request as every API answer does: a
 * refusal of 500 and above is in the node's log under that id, and the CLI's one line ends with it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, Schedule } from "effect"
import WebSocket from "ws"
import { TestApi } from "../http/apiHarness.ts"
import { cliTestNode, freshConfigPath } from "./cliEnvironment.ts"
import { runKnot } from "./cliHarness.ts"

/** The node's log lines with their request ids, as the test's logger receives them. */
const capturedLogs = () => {
  const lines: Array<{ readonly message: string; readonly request: unknown }> = []
  const logger = Logger.make(({ annotations, message }) => {
    lines.push({ message: String(Array.isArray(message) ? message.join(" ") : message), request: Object.fromEntries(annotations).request })
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

/** A space of `user` reported running on a node with no container engine: every stream into it fails there. */
const runningSpace = (user: string) =>
  Effect.gen(function*() {
    const api = yield* TestApi
    yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { name: "shell", image: "busybox" } })
    const token = yield* api.userWithToken(user)
    yield* api.request("POST", "/api/spaces", { token, json: { name: "dev", template: "shell" } })
    const running = yield* api.request("GET", `/api/spaces/${user}/dev`, { token }).pipe(
      Effect.filterOrFail((answer) => answer.body.observed === "running"),
      Effect.retry(Schedule.spaced("20 millis"))
    )
    // What an owner reports once its engine made the container; the stand-in names none.
    const status = yield* api.store.get("space-status", running.body.id)
    yield* api.store.put("space-status", running.body.id, { ...(status?.value as object), containerId: "c0ffee" })
    return { api, token }
  })

/** The status and x-request-id of an upgrade the node refuses. */
const refusedUpgrade = (url: string, token: string) =>
  Effect.async<{ readonly status: number; readonly id: string | undefined }>((resume) => {
    const socket = new WebSocket(url.replace(/^http/, "ws"), { headers: { authorization: `Bearer ${token}` } })
    socket.once("unexpected-response", (_request, response) => {
      const id = response.headers["x-request-id"]
      resume(Effect.succeed({ status: response.statusCode ?? 0, id: typeof id === "string" ? id : undefined }))
      response.resume()
    })
    socket.once("error", () => undefined)
  })

describe("a stream the node refuses", () => {
  it.live("names its request in x-request-id, whatever the refusal", () =>
    Effect.gen(function*() {
      const { api, token } = yield* runningSpace("rae")
      const missing = yield* refusedUpgrade(`${api.url}/api/spaces/rae/nothing/exec`, token)
      const failing = yield* refusedUpgrade(`${api.url}/api/spaces/rae/dev/exec?cmd=true`, token)
      expect([missing.status, failing.status]).toEqual([404, 502])
      expect(missing.id).toMatch(/^[0-9a-f]{16}$/)
      expect(failing.id).toMatch(/^[0-9a-f]{16}$/)
      expect(missing.id).not.toBe(failing.id)
    }).pipe(Effect.provide(cliTestNode)))

  it.live("of 500 and above is in the node's log under its id, which ends the CLI's one line", () => {
    const logs = capturedLogs()
    return Effect.gen(function*() {
      const { api, token } = yield* runningSpace("sol")
      const run = yield* runKnot(["space", "exec", "dev", "--", "true"], { KNOT_SERVER: api.url, KNOT_TOKEN: token, KNOT_CONFIG: freshConfigPath() })
      expect(run.exitCode).toBe(1)
      expect(run.stderr).toMatch(/^error: .+; request id [0-9a-f]{16}$/)
      const id = /request id ([0-9a-f]{16})$/.exec(run.stderr)?.[1]
      expect(logs.lines.filter((line) => line.request === id).map((line) => line.message)).toContainEqual(
        expect.stringMatching(/answered 502: .*no container engine/)
      )
    }).pipe(Effect.provide(cliTestNode), Effect.provide(logs.layer))
  })
})
