/**
 * Who may open a stream, on a node's API (in process, no engine): the answers come before any
 * upgrade, so a client learns why in one HTTP status and the API's error body.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import WebSocket from "ws"
import { makeTestApi, TestApi } from "./apiHarness.ts"

interface Answer {
  readonly status: number
  readonly body: { readonly code?: string; readonly message?: string }
}

/** Tries a WebSocket upgrade and returns the refusal (the test spaces never run, so none opens). */
const upgrade = (url: string, headers: Record<string, string> = {}, protocols: ReadonlyArray<string> = []) =>
  Effect.async<Answer>((resume) => {
    const socket = new WebSocket(url.replace(/^http/, "ws"), [...protocols], { headers })
    socket.once("unexpected-response", (_request, response) => {
      let text = ""
      response.on("data", (chunk) => (text += chunk))
      response.on("end", () => resume(Effect.succeed({ status: response.statusCode ?? 0, body: JSON.parse(text) })))
    })
    socket.once("open", () => {
      socket.terminate()
      resume(Effect.succeed({ status: 101, body: {} }))
    })
    socket.once("error", () => undefined)
  })

const streamPaths = (owner: string, name: string) => [
  `/api/spaces/${owner}/${name}/exec?cmd=true`,
  `/api/spaces/${owner}/${name}/logs`,
  `/api/spaces/${owner}/${name}/ports/8080/connect`,
  `/spaces/${owner}/${name}/ports/8080/`
]

layer(makeTestApi, { excludeTestServices: true })("access to space streams", (it) => {
  const spaceOf = (user: string, space: string) =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", {
        token: api.adminToken,
        json: { name: "web", image: "busybox:latest", ports: [{ port: 8080, name: "web", protocol: "http" }] }
      })
      const token = yield* api.userWithToken(user)
      const created = yield* api.request("POST", "/api/spaces", { token, json: { name: space, template: "web" } })
      expect(created.status).toBe(201)
      return token
    })

  it.effect("another user's space is a 403 on every stream endpoint, before anything is looked up", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* spaceOf("owen", "owen-dev")
      const other = yield* api.userWithToken("olga")
      for (const path of streamPaths("owen", "owen-dev")) {
        const answer = yield* upgrade(`${api.url}${path}`, { authorization: `Bearer ${other}` })
        expect([path, answer.status, answer.body.code]).toEqual([path, 403, "not_owner"])
      }
    }))

  it.effect("no token is a 401 on every stream endpoint", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* spaceOf("nina", "nina-dev")
      for (const path of streamPaths("nina", "nina-dev")) {
        const answer = yield* upgrade(`${api.url}${path}`)
        expect([path, answer.status, answer.body.code]).toEqual([path, 401, "missing_token"])
      }
    }))

  it.effect("a space that is not running is a 409 saying so, and one that does not exist a 404", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* spaceOf("rita", "rita-dev")
      const pending = yield* upgrade(`${api.url}/api/spaces/rita/rita-dev/exec?cmd=true`, { authorization: `Bearer ${token}` })
      expect(pending.status).toBe(409)
      expect(pending.body.message).toContain("not running")
      const missing = yield* upgrade(`${api.url}/api/spaces/rita/nothing/exec`, { authorization: `Bearer ${token}` })
      expect(missing.status).toBe(404)
    }))

  it.effect("a plain GET of a stream endpoint is told it needs a WebSocket", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* spaceOf("gus", "gus-dev")
      const answer = yield* api.request("GET", "/api/spaces/gus/gus-dev/exec", { token })
      expect(answer.status).toBe(426)
      expect(answer.body.message).toContain("WebSocket")
    }))

  it.effect("a browser's ticket authenticates one upgrade, once", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* spaceOf("tess", "tess-dev")
      const issued = yield* api.request("POST", "/api/streams/ticket", { token })
      expect(issued.status).toBe(201)
      const protocols = ["knot.v1", `knot.ticket.${issued.body.ticket}`]
      const url = `${api.url}/api/spaces/tess/tess-dev/exec?cmd=true`
      // Past authentication, the pending space is what stops it: the ticket was good.
      const first = yield* upgrade(url, {}, protocols)
      expect(first.status).toBe(409)
      const second = yield* upgrade(url, {}, protocols)
      expect([second.status, second.body.code]).toEqual([401, "invalid_token"])
    }))

  it.effect("a bad stream request is a 400 naming what is wrong", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* spaceOf("bo", "bo-dev")
      const answer = yield* upgrade(`${api.url}/api/spaces/bo/bo-dev/exec?tty=1&cols=0`, { authorization: `Bearer ${token}` })
      expect(answer.status).toBe(400)
      expect(answer.body.message).toContain("cols")
    }))

  it.effect("a template keeps its ports, HTTP or TCP, and refuses one listed twice", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const saved = yield* api.request("POST", "/api/templates", {
        token: api.adminToken,
        json: { name: "ported", image: "busybox:latest", ports: [{ port: 8080, protocol: "http" }, { port: 5432 }] }
      })
      expect(saved.status).toBeLessThan(300)
      const read = yield* api.request("GET", "/api/templates/ported", { token: api.adminToken })
      expect(read.body.ports).toEqual([{ port: 8080, protocol: "http" }, { port: 5432, protocol: "tcp" }])
      const twice = yield* api.request("POST", "/api/templates", {
        token: api.adminToken,
        json: { name: "twice", image: "busybox:latest", ports: [{ port: 80 }, { port: 80, protocol: "http" }] }
      })
      expect(twice.status).toBeGreaterThanOrEqual(400)
      expect(twice.body.message).toContain("port 80 is listed twice")
    }))
})
