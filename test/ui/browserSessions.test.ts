/**
 * Signing in from a browser, at the HTTP level: a password buys a session cookie, writes by
 * cookie need the CSRF proof, failures are slowed, and a revoked session is refused, its open
 * feeds ended at once.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { defaultSignInPolicy } from "../../effects/http/auth/signInLimiter.ts"
import { makeTestApiOf, TestApi } from "../http/apiHarness.ts"
import { send, signIn, userWithPassword } from "../http/browserClient.ts"
import { openFeed } from "../support/feedReader.ts"

describe("browser sessions", () => {
  it.scoped("a name and password give an HttpOnly, SameSite=Strict session cookie and the CSRF proof", () =>
    Effect.gen(function*() {
      yield* userWithPassword("alice", "correct horse")
      const answer = yield* signIn("alice", "correct horse")
      expect(answer.status).toBe(201)
      expect(answer.setCookie).toMatch(/^knot_session=ks_[0-9a-f]{16}_[0-9a-f]{64}; /)
      expect(answer.setCookie).toMatch(/HttpOnly/)
      expect(answer.setCookie).toMatch(/SameSite=Strict/)
      expect(answer.body.user.name).toBe("alice")
      expect(answer.body.csrf).toMatch(/^[0-9a-f]{64}$/)
      expect(JSON.stringify(answer.body)).not.toContain(answer.cookie.split("=")[1])
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scoped("a wrong password and an unknown name get the same 401", () =>
    Effect.gen(function*() {
      yield* userWithPassword("alice", "correct horse")
      const wrong = yield* signIn("alice", "wrong horse")
      const unknown = yield* signIn("nobody", "wrong horse")
      expect([wrong.status, unknown.status]).toEqual([401, 401])
      expect(wrong.body.message).toBe(unknown.body.message)
      expect(wrong.setCookie).toBeNull()
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scoped("wrong passwords from one address are rate limited, the right one included", () =>
    Effect.gen(function*() {
      yield* userWithPassword("alice", "correct horse")
      const statuses: Array<number> = []
      for (let n = 0; n < defaultSignInPolicy.freeFailures + 2; n++) statuses.push((yield* signIn("alice", `guess ${n}`)).status)
      expect(statuses.slice(0, defaultSignInPolicy.freeFailures)).toEqual(Array(defaultSignInPolicy.freeFailures).fill(401))
      expect(statuses.at(-1)).toBe(429)
      const right = yield* signIn("alice", "correct horse")
      expect(right.status).toBe(429)
      expect(right.body.message).toMatch(/too many failed sign-ins/)
    }).pipe(Effect.provide(makeTestApiOf({ signIn: defaultSignInPolicy }))))

  it.scoped("the cookie reads the API, and a write by cookie without the CSRF proof is refused", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithPassword("alice", "correct horse")
      const { cookie, body } = yield* signIn("alice", "correct horse")
      expect((yield* send(api.url, "GET", "/api/spaces", { cookie })).status).toBe(200)
      const bare = yield* send(api.url, "POST", "/api/tokens", { cookie, json: {} })
      expect(bare.status).toBe(403)
      expect(bare.body.code).toBe("csrf_proof_missing")
      const forged = yield* send(api.url, "POST", "/api/tokens", { cookie, json: {}, headers: { "x-knot-csrf": "0".repeat(64) } })
      expect(forged.status).toBe(403)
      const proven = yield* send(api.url, "POST", "/api/tokens", { cookie, json: {}, headers: { "x-knot-csrf": body.csrf } })
      expect(proven.status).toBe(201)
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scoped("a write by cookie from another site's page is refused, proof or not", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithPassword("alice", "correct horse")
      const { cookie, body } = yield* signIn("alice", "correct horse")
      const answer = yield* send(api.url, "POST", "/api/tokens", {
        cookie,
        json: {},
        headers: { "x-knot-csrf": body.csrf, origin: "http://evil.example" }
      })
      expect(answer.status).toBe(403)
      expect(answer.body.code).toBe("cross_origin")
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scoped("a session revoked by its user is refused at once, and listed no more", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithPassword("alice", "correct horse")
      const first = yield* signIn("alice", "correct horse")
      const second = yield* signIn("alice", "correct horse")
      const listed = yield* send(api.url, "GET", "/api/sessions", { cookie: second.cookie })
      expect(listed.body.map((s: any) => s.id).sort()).toEqual([first.body.session.id, second.body.session.id].sort())
      const revoked = yield* send(api.url, "DELETE", `/api/sessions/${first.body.session.id}`, {
        cookie: second.cookie,
        headers: { "x-knot-csrf": second.body.csrf }
      })
      expect(revoked.status).toBe(204)
      const refused = yield* send(api.url, "GET", "/api/spaces", { cookie: first.cookie })
      expect(refused.status).toBe(401)
      expect(refused.body.message).toMatch(/sign in again/)
      expect((yield* send(api.url, "GET", "/api/sessions", { cookie: second.cookie })).body).toHaveLength(1)
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scoped("another user's session is not theirs to revoke; an admin may", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithPassword("alice", "correct horse")
      const bob = yield* api.userWithToken("bob")
      const alice = yield* signIn("alice", "correct horse")
      expect((yield* send(api.url, "DELETE", `/api/sessions/${alice.body.session.id}`, { token: bob })).status).toBe(403)
      expect((yield* send(api.url, "DELETE", `/api/sessions/${alice.body.session.id}`, { token: api.adminToken })).status).toBe(204)
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scoped("signing out ends the session and clears the cookie", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithPassword("alice", "correct horse")
      const { cookie, body } = yield* signIn("alice", "correct horse")
      const out = yield* send(api.url, "DELETE", "/api/sessions/current", { cookie, headers: { "x-knot-csrf": body.csrf } })
      expect(out.status).toBe(204)
      expect(out.setCookie).toMatch(/^knot_session=; /)
      expect((yield* send(api.url, "GET", "/api/sessions/current", { cookie })).status).toBe(401)
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scoped("changing your own password needs the current one, and signs your other browsers out", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithPassword("alice", "correct horse")
      const here = yield* signIn("alice", "correct horse")
      const there = yield* signIn("alice", "correct horse")
      const proof = { "x-knot-csrf": here.body.csrf }
      const without = yield* send(api.url, "PUT", "/api/users/alice/password", { cookie: here.cookie, headers: proof, json: { password: "battery staple" } })
      expect(without.status).toBe(403)
      const changed = yield* send(api.url, "PUT", "/api/users/alice/password", {
        cookie: here.cookie,
        headers: proof,
        json: { password: "battery staple", currentPassword: "correct horse" }
      })
      expect(changed.status).toBe(204)
      expect((yield* send(api.url, "GET", "/api/spaces", { cookie: here.cookie })).status).toBe(200)
      expect((yield* send(api.url, "GET", "/api/spaces", { cookie: there.cookie })).status).toBe(401)
      expect((yield* signIn("alice", "battery staple")).status).toBe(201)
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scoped("a password shorter than 8 characters is refused with what is needed", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.userWithToken("alice")
      const answer = yield* send(api.url, "PUT", "/api/users/alice/password", { token: api.adminToken, json: { password: "short" } })
      expect(answer.status).toBe(400)
      expect(answer.body.message).toMatch(/at least 8 characters/)
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scoped("a disabled user's password no longer signs in", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithPassword("alice", "correct horse")
      yield* send(api.url, "POST", "/api/users/alice/disable", { token: api.adminToken })
      const answer = yield* signIn("alice", "correct horse")
      expect(answer.status).toBe(403)
      expect(answer.body.message).toMatch(/disabled/)
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scopedLive("a page's change feed ends with session-ended the moment its session is revoked", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithPassword("alice", "correct horse")
      const { cookie, body } = yield* signIn("alice", "correct horse")
      const feed = yield* openFeed(api.url, undefined, { cookie })
      yield* feed.until((message) => message.event === "synced")
      yield* send(api.url, "DELETE", `/api/sessions/${body.session.id}`, { token: api.adminToken })
      const last = yield* feed.until((message) => message.event === "session-ended")
      expect(last.at(-1)?.event).toBe("session-ended")
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scopedLive("the cluster feed of an admin's page ends with session-ended when the admin is disabled", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithPassword("ada", "ada password", "admin")
      const { cookie } = yield* signIn("ada", "ada password")
      const feed = yield* openFeed(api.url, undefined, { cookie, path: "/api/cluster/events" })
      expect((yield* feed.next()).event).toBe("cluster")
      yield* send(api.url, "POST", "/api/users/ada/disable", { token: api.adminToken })
      yield* feed.until((message) => message.event === "session-ended")
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scopedLive("a feed opened with a token is not tied to any browser session", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithPassword("alice", "correct horse")
      const { body } = yield* signIn("alice", "correct horse")
      const feed = yield* openFeed(api.url, api.adminToken)
      yield* feed.until((message) => message.event === "synced")
      yield* send(api.url, "DELETE", `/api/sessions/${body.session.id}`, { token: api.adminToken })
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { name: "after", image: "busybox:latest" } })
      const after = yield* feed.until((message) => message.event === "template")
      expect(after.some((message) => message.event === "session-ended")).toBe(false)
    }).pipe(Effect.provide(makeTestApiOf())))

  it.scoped("a user deleted and created again under the same name has neither the old password, sessions nor tokens", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithPassword("alice", "correct horse")
      const token = (yield* send(api.url, "POST", "/api/tokens", { token: api.adminToken, json: { user: "alice" } })).body.secret
      const { cookie, body } = yield* signIn("alice", "correct horse")
      expect((yield* send(api.url, "DELETE", "/api/users/alice", { token: api.adminToken })).status).toBe(200)
      expect((yield* api.store.get("session", body.session.id))?.deleted).toBe(true)
      expect((yield* api.store.get("password", "alice"))?.deleted).toBe(true)
      yield* send(api.url, "POST", "/api/users", { token: api.adminToken, json: { name: "alice", role: "user" } })
      expect((yield* send(api.url, "GET", "/api/spaces", { cookie })).status).toBe(401)
      expect((yield* send(api.url, "GET", "/api/spaces", { token })).status).toBe(401)
      expect((yield* signIn("alice", "correct horse")).status).toBe(401)
      const set = yield* send(api.url, "PUT", "/api/users/alice/password", { token: api.adminToken, json: { password: "battery staple" } })
      expect(set.status).toBe(204)
      expect((yield* signIn("alice", "battery staple")).status).toBe(201)
    }).pipe(Effect.provide(makeTestApiOf())))
})
