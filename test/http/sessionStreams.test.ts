/**
 * Streams a browser session opened end with the session: a revoked laptop keeps no terminal
 * and no port connection open. The engine side here opens streams that never end by themselves,
 * so whatever closes them is the node.
 */
import { connect } from "node:net"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import WebSocket from "ws"
import { CLOSE_SESSION_ENDED } from "../../effects/http/streams/webSocketStream.ts"
import { endlessContainerStreams, makeTestApiOf, TestApi } from "./apiHarness.ts"
import { send, signIn, userWithPassword } from "./browserClient.ts"

layer(makeTestApiOf({ containerStreams: endlessContainerStreams }), { excludeTestServices: true })("streams of a browser session", (it) => {
  /** `owner` signed in by password, with a space that runs (as its owner node would report). */
  const runningSpace = (owner: string) =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", {
        token: api.adminToken,
        json: { name: "web", image: "busybox:latest", ports: [{ port: 8080, name: "web", protocol: "http" }] }
      })
      yield* userWithPassword(owner, `${owner} password`)
      const signedIn = yield* signIn(owner, `${owner} password`)
      const token = (yield* send(api.url, "POST", "/api/tokens", { token: api.adminToken, json: { user: owner } })).body.secret
      const created = yield* send(api.url, "POST", "/api/spaces", { token, json: { name: "dev", template: "web" } })
      yield* api.store.put("space-status", created.body.id, { observed: "running", containerId: `c-${owner}`, handled: 1 })
      const revoke = send(api.url, "DELETE", `/api/sessions/${signedIn.body.session.id}`, { token: api.adminToken })
      return { ...signedIn, revoke }
    })

  /** A terminal on `owner`'s space, opened with a ticket of their browser session: the text it is sent, and its close code. */
  const terminalOf = (owner: string, session: Effect.Effect.Success<ReturnType<typeof runningSpace>>) =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const ticket = yield* send(api.url, "POST", "/api/streams/ticket", { cookie: session.cookie, headers: { "x-knot-csrf": session.body.csrf } })
      const socket = new WebSocket(`${api.url.replace(/^http/, "ws")}/api/spaces/${owner}/dev/exec?tty=1`, [
        "knot.v1",
        `knot.ticket.${ticket.body.ticket}`
      ])
      const messages: Array<string> = []
      socket.on("message", (data, binary) => void (binary ? undefined : messages.push(data.toString())))
      const closed = Effect.async<number>((resume) => void socket.once("close", (code) => resume(Effect.succeed(code))))
      yield* Effect.async<void>((resume) => void socket.once("open", () => resume(Effect.void)))
      return { messages, closed }
    })

  it.effect("a terminal opened with the session's ticket is told the session ended and closed when it is revoked", () =>
    Effect.gen(function*() {
      const alice = yield* runningSpace("alice")
      const terminal = yield* terminalOf("alice", alice)
      yield* alice.revoke
      expect(yield* terminal.closed).toBe(CLOSE_SESSION_ENDED)
      expect(terminal.messages.map((text) => JSON.parse(text))).toEqual([{ type: "error", message: "your session has ended; sign in again" }])
    }))

  it.effect("a terminal opened with the session's ticket is closed when an admin disables its user", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const carol = yield* runningSpace("carol")
      const terminal = yield* terminalOf("carol", carol)
      yield* send(api.url, "POST", "/api/users/carol/disable", { token: api.adminToken })
      expect(yield* terminal.closed).toBe(CLOSE_SESSION_ENDED)
    }))

  it.effect("a port connection the session's cookie opened is cut when it is revoked", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const bob = yield* runningSpace("bob")
      const { hostname, port } = new URL(api.url)
      const socket = connect(Number(port), hostname)
      const closed = Effect.async<void>((resume) => void socket.once("close", () => resume(Effect.void)))
      socket.write(
        "GET /spaces/bob/dev/ports/8080/socket HTTP/1.1\r\n" +
          `Host: ${api.url.replace(/^http:\/\//, "")}\r\nOrigin: ${api.url}\r\nCookie: ${bob.cookie}\r\n` +
          "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
      )
      let answered = ""
      socket.on("data", (chunk) => void (answered += chunk.toString()))
      // The space's server (this test's engine) never answers: the connection stays open until the node cuts it.
      yield* Effect.sleep("200 millis")
      expect(socket.destroyed).toBe(false)
      yield* bob.revoke
      yield* closed
      expect(answered).toBe("")
    }))
})
