import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeTestApi, TestApi } from "./apiHarness.ts"

/** A user with a token and a running space (as far as its record says). */
const userWithSpace = (user: string) =>
  Effect.gen(function*() {
    const api = yield* TestApi
    yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { name: "web", image: "busybox:latest" } })
    const token = yield* api.userWithToken(user)
    const created = yield* api.request("POST", "/api/spaces", { token, json: { name: `${user}-dev`, template: "web" } })
    expect(created.status).toBe(201)
    return token
  })

const me = (token: string) => Effect.flatMap(TestApi, (api) => api.request("GET", "/api/users/me", { token }))
const spaceOf = (user: string) =>
  Effect.flatMap(TestApi, (api) => api.request("GET", `/api/spaces/${user}/${user}-dev`, { token: api.adminToken }))

describe("accounts an admin manages", () => {
  it.scoped("disabling a user makes their token fail with a message saying so", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* userWithSpace("ann")
      const disabled = yield* api.request("POST", "/api/users/ann/disable", { token: api.adminToken })
      expect(disabled.body).toMatchObject({ name: "ann", disabled: true })
      const refused = yield* me(token)
      expect(refused.status).toBe(401)
      expect(refused.body.message).toMatch(/disabled/)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("disabling a user stops their running spaces, which are kept", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithSpace("ann")
      yield* api.request("POST", "/api/users/ann/disable", { token: api.adminToken })
      expect((yield* spaceOf("ann")).body.desired).toBe("stopped")
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("enabling a disabled user makes their token work again", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* userWithSpace("ann")
      yield* api.request("POST", "/api/users/ann/disable", { token: api.adminToken })
      yield* api.request("POST", "/api/users/ann/enable", { token: api.adminToken })
      expect((yield* me(token)).status).toBe(200)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("deleting a user makes their token fail, and keeps their spaces stopped", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* userWithSpace("ann")
      const deleted = yield* api.request("DELETE", "/api/users/ann", { token: api.adminToken })
      expect(deleted.status).toBe(200)
      expect((yield* me(token)).status).toBe(401)
      const users = yield* api.request("GET", "/api/users", { token: api.adminToken })
      expect(users.body.map((user: { name: string }) => user.name)).not.toContain("ann")
      expect((yield* spaceOf("ann")).body.desired).toBe("stopped")
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("making a user an admin lets them list users", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("ann")
      expect((yield* api.request("GET", "/api/users", { token })).status).toBe(403)
      const raised = yield* api.request("POST", "/api/users/ann/role", { token: api.adminToken, json: { role: "admin" } })
      expect(raised.body.role).toBe("admin")
      expect((yield* api.request("GET", "/api/users", { token })).status).toBe(200)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("an admin cannot disable, delete or demote their own account", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const attempts = [
        yield* api.request("POST", "/api/users/root/disable", { token: api.adminToken }),
        yield* api.request("DELETE", "/api/users/root", { token: api.adminToken }),
        yield* api.request("POST", "/api/users/root/role", { token: api.adminToken, json: { role: "user" } })
      ]
      expect(attempts.map((answer) => [answer.status, answer.body.code])).toEqual([
        [409, "own_account"],
        [409, "own_account"],
        [409, "own_account"]
      ])
      expect((yield* me(api.adminToken)).status).toBe(200)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("a user who is not an admin cannot disable, enable, delete or re-role anyone", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("ann")
      yield* api.userWithToken("bob")
      const attempts = [
        yield* api.request("POST", "/api/users/bob/disable", { token }),
        yield* api.request("POST", "/api/users/bob/enable", { token }),
        yield* api.request("DELETE", "/api/users/bob", { token }),
        yield* api.request("POST", "/api/users/ann/role", { token, json: { role: "admin" } })
      ]
      expect(attempts.map((answer) => answer.status)).toEqual([403, 403, 403, 403])
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("an unknown user is a 404 naming them", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const answer = yield* api.request("POST", "/api/users/ghost/disable", { token: api.adminToken })
      expect(answer.status).toBe(404)
      expect(answer.body.message).toMatch(/ghost/)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("an admin lists every user's tokens with all=true; a user may not", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("ann")
      const all = yield* api.request("GET", "/api/tokens?all=true", { token: api.adminToken })
      expect(new Set(all.body.map((listed: { user: string }) => listed.user))).toEqual(new Set(["root", "ann"]))
      expect((yield* api.request("GET", "/api/tokens?all=true", { token })).status).toBe(403)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("an admin revokes another user's token", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("ann")
      const listed = yield* api.request("GET", "/api/tokens?all=true", { token: api.adminToken })
      const ann = listed.body.find((entry: { user: string }) => entry.user === "ann")
      expect((yield* api.request("DELETE", `/api/tokens/${ann.id}`, { token: api.adminToken })).status).toBe(204)
      expect((yield* me(token)).status).toBe(401)
    }).pipe(Effect.provide(makeTestApi)))
})
