/**
 * A template's HTTP port opened from the web UI, at the HTTP level (no engine: a space that is
 * not running answers 409 once the caller is through the door). The browser's session cookie
 * signs the request in; a browser without one is sent to sign in; another user's cookie, a
 * WebSocket another site opens, and an admin's browser on someone else's port are refused.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import WebSocket from "ws"
import type { IncomingMessage } from "node:http"
import { requestHead } from "../../effects/http/streams/portProxy.ts"
import { makeTestApi, TestApi } from "./apiHarness.ts"
import { send, signIn, userWithPassword } from "./browserClient.ts"

interface Answer {
  readonly status: number
  readonly body: { readonly code?: string; readonly message?: string }
}

/** Tries a WebSocket upgrade and returns the refusal (the test spaces never run, so none opens). */
const upgrade = (url: string, headers: Record<string, string>) =>
  Effect.async<Answer>((resume) => {
    const socket = new WebSocket(url.replace(/^http/, "ws"), { headers })
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

const navigation = { accept: "text/html,application/xhtml+xml", "sec-fetch-mode": "navigate" }

layer(makeTestApi, { excludeTestServices: true })("a space's HTTP port in a browser", (it) => {
  /** `owner` with a password and a space `name` of a template with an HTTP port; their cookie. */
  const signedInWithSpace = (owner: string, name: string) =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", {
        token: api.adminToken,
        json: { name: "web", image: "busybox:latest", ports: [{ port: 8080, name: "web", protocol: "http" }] }
      })
      yield* userWithPassword(owner, `${owner} password`)
      const { cookie } = yield* signIn(owner, `${owner} password`)
      const own = yield* send(api.url, "POST", "/api/tokens", { token: api.adminToken, json: { user: owner } })
      expect((yield* send(api.url, "POST", "/api/spaces", { token: own.body.secret, json: { name, template: "web" } })).status).toBe(201)
      return cookie
    })

  it.effect("the owner's session cookie opens it: past sign-in, the space not running is what stops it", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const cookie = yield* signedInWithSpace("pam", "pam-web")
      const answer = yield* send(api.url, "GET", "/spaces/pam/pam-web/ports/8080/", { cookie, headers: navigation })
      expect([answer.status, answer.body.code]).toEqual([409, "space_not_running"])
    }))

  it.effect("a browser without a session is sent to sign in; a script gets a 401", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* signedInWithSpace("ray", "ray-web")
      const browsing = yield* send(api.url, "GET", "/spaces/ray/ray-web/ports/8080/", { headers: navigation })
      expect([browsing.status, browsing.location]).toEqual([303, "/"])
      const fetching = yield* send(api.url, "GET", "/spaces/ray/ray-web/ports/8080/")
      expect([fetching.status, fetching.body.code]).toEqual([401, "missing_token"])
    }))

  it.effect("a revoked session's cookie is sent to sign in again", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const cookie = yield* signedInWithSpace("sal", "sal-web")
      const sessions = yield* send(api.url, "GET", "/api/sessions", { cookie })
      yield* send(api.url, "DELETE", `/api/sessions/${sessions.body[0].id}`, { token: api.adminToken })
      const answer = yield* send(api.url, "GET", "/spaces/sal/sal-web/ports/8080/", { cookie, headers: navigation })
      expect([answer.status, answer.location]).toEqual([303, "/"])
    }))

  it.effect("another user's cookie is a 403", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* signedInWithSpace("tim", "tim-web")
      yield* userWithPassword("uma", "uma password")
      const { cookie } = yield* signIn("uma", "uma password")
      const answer = yield* send(api.url, "GET", "/spaces/tim/tim-web/ports/8080/", { cookie, headers: navigation })
      expect([answer.status, answer.body.code]).toEqual([403, "not_owner"])
    }))

  it.effect("an admin's browser opens only its own spaces' ports, since the page runs on the node's origin", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* signedInWithSpace("val", "val-web")
      yield* userWithPassword("ada", "ada password", "admin")
      const { cookie } = yield* signIn("ada", "ada password")
      const answer = yield* send(api.url, "GET", "/spaces/val/val-web/ports/8080/", { cookie, headers: navigation })
      expect([answer.status, answer.body.code]).toEqual([403, "not_owner"])
      expect(answer.body.message).toContain("knot space forward")
    }))

  it.effect("a WebSocket by cookie opened by another site's page is a 403; by this node's page it gets through", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const cookie = yield* signedInWithSpace("wes", "wes-web")
      const url = `${api.url}/spaces/wes/wes-web/ports/8080/socket`
      const hijack = yield* upgrade(url, { cookie, origin: "http://evil.example" })
      expect([hijack.status, hijack.body.code]).toEqual([403, "cross_origin"])
      const bare = yield* upgrade(url, { cookie })
      expect([bare.status, bare.body.code]).toEqual([403, "cross_origin"])
      const own = yield* upgrade(url, { cookie, origin: api.url })
      expect([own.status, own.body.code]).toEqual([409, "space_not_running"])
    }))

  it.effect("a write by cookie from another site is a 403", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const cookie = yield* signedInWithSpace("xia", "xia-web")
      const answer = yield* send(api.url, "POST", "/spaces/xia/xia-web/ports/8080/form", {
        cookie,
        headers: { origin: "http://evil.example" },
        json: {}
      })
      expect([answer.status, answer.body.code]).toEqual([403, "cross_origin"])
    }))
})

describe("the request a space's server is sent", () => {
  const request = (rawHeaders: Array<string>) =>
    ({ method: "GET", rawHeaders, headers: {} }) as unknown as IncomingMessage

  it("carries the page's own cookies but never knot's session or Authorization", () => {
    const head = requestHead(
      request(["Host", "knot:8080", "Cookie", "theme=dark; knot_session=ks_0123456789abcdef_00; lang=en", "Authorization", "Bearer t"]),
      "/",
      "/spaces/a/b/ports/8080",
      false
    )
    expect(head).toContain("Cookie: theme=dark; lang=en\r\n")
    expect(head).not.toContain("knot_session")
    expect(head).not.toContain("Authorization")
  })

  it("drops the Cookie header when knot's session was the only cookie", () => {
    const head = requestHead(request(["Cookie", "knot_session=ks_0123456789abcdef_00"]), "/", "/spaces/a/b/ports/8080", false)
    expect(head).not.toMatch(/^cookie:/im)
  })
})
