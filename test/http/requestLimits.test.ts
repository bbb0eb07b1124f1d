import { request as httpRequest } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeTestApi, TestApi } from "./apiHarness.ts"

const template = { name: "web", image: "busybox:latest" }

/** A JSON array nested `depth` deep: [[[...]]]. */
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)

describe("what a request may cost", () => {
  it.scoped("a 2 MB body gets 413 with a one-line reason, and the node keeps answering", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const big = JSON.stringify({ ...template, env: { BLOB: "x".repeat(2 * 1024 * 1024) } })
      const answer = yield* api.request("POST", "/api/templates", { token: api.adminToken, raw: big })
      expect(answer.status).toBe(413)
      expect(answer.body.message).toMatch(/at most 1048576 bytes/)
      expect((yield* api.request("GET", "/health")).status).toBe(200)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("a body sent in chunks, with no length declared, is cut off at the limit too", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      // The node stops reading at the limit and answers; a client still uploading may see the
      // connection reset before it reads that answer. Either way the upload goes no further.
      const outcome = yield* Effect.async<string>((resume) => {
        const sent = httpRequest(`${api.url}/api/templates`, {
          method: "POST",
          headers: { authorization: `Bearer ${api.adminToken}`, "content-type": "application/json" }
        }, (response) => resume(Effect.succeed(String(response.statusCode))))
        sent.on("error", (error: NodeJS.ErrnoException) => resume(Effect.succeed(error.code ?? error.message)))
        for (let i = 0; i < 40; i++) sent.write("x".repeat(64 * 1024))
        sent.end()
      })
      expect(["413", "ECONNRESET", "EPIPE"]).toContain(outcome)
      expect((yield* api.request("GET", "/health")).status).toBe(200)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("a body nested 5 000 deep gets 400, not a stack overflow", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const answer = yield* api.request("POST", "/api/templates", { token: api.adminToken, raw: nested(5000) })
      expect(answer.status).toBe(400)
      expect(answer.body.code).toBe("body_too_deep")
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("brackets inside strings do not count as nesting", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const answer = yield* api.request("POST", "/api/templates", {
        token: api.adminToken,
        json: { ...template, env: { BRACKETS: "[".repeat(500) } }
      })
      expect(answer.status).toBe(200)
    }).pipe(Effect.provide(makeTestApi)))
})
