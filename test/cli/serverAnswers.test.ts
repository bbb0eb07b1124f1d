import { createServer, type Server } from "node:http"
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { refusalOf, unreadableAnswer } from "../../cli/client/knotClient.ts"
import { knotVersion } from "../../effects/version.ts"

const server = "http://127.0.0.1:1"

/** A server whose OpenAPI document states `version`, or that has none when it is undefined. */
const nodeSaying = (version: string | undefined) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly server: Server }>((resume) => {
      const http = createServer((_request, response) => {
        if (version === undefined) return void response.writeHead(404).end("not found")
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ openapi: "3.1.0", info: { version } }))
      })
      http.listen(0, "127.0.0.1", () => {
        const address = http.address()
        resume(Effect.succeed({ url: `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`, server: http }))
      })
    }),
    ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  )

const explain = (version: string | undefined) =>
  Effect.gen(function*() {
    const node = yield* nodeSaying(version)
    const failure = yield* unreadableAnswer(node.url, yield* HttpClient.HttpClient)
    return failure.message.replace(node.url, "URL")
  }).pipe(Effect.provide(FetchHttpClient.layer))

describe("what the CLI says of a server's answer", () => {
  it("prints a 4xx's own message, whatever its status", () => {
    const body = JSON.stringify({ _tag: "PayloadTooLarge", code: "body-too-large", message: "the request body is over 1048576 bytes" })
    expect(refusalOf(server, 413, body, undefined).message).toBe("the request body is over 1048576 bytes")
    const decodeError = JSON.stringify({ _tag: "HttpApiDecodeError", issues: [], message: "Expected a string, got 7" })
    expect(refusalOf(server, 400, decodeError, undefined).message).toBe("Expected a string, got 7")
  })

  it("names a 4xx's status and the first words of a body without a message", () => {
    expect(refusalOf(server, 404, "Not Found", undefined).message).toBe(`the knot server at ${server} refused the request (404): Not Found`)
  })

  it("prints a 5xx's message, or its status when it has none, with its request id", () => {
    const body = JSON.stringify({ _tag: "Unavailable", code: "engine-down", message: "no container engine answers" })
    expect(refusalOf(server, 503, body, "req-42").message).toBe("no container engine answers; request id req-42")
    expect(refusalOf(server, 500, "Internal Server Error", "req-43").message).toBe(
      `the knot server at ${server} failed (500); request id req-43`
    )
  })

  it.scoped("blames an unreadable answer on the versions only when the server says another one", () =>
    Effect.gen(function*() {
      expect(yield* explain("0.0.9")).toBe(`the knot server at URL runs knot 0.0.9 and this CLI is knot ${knotVersion}: use a CLI of the server's version`)
      expect(yield* explain(knotVersion)).toBe(
        `the knot server at URL sent an answer this CLI cannot read, though both are knot ${knotVersion}: a bug; run again with KNOT_DEBUG=1 and report it`
      )
      expect(yield* explain(undefined)).toMatch(/does not say its version; is that URL a knot node's API\?$/)
    }))
})
