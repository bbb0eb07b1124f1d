import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { makeTestApi, TestApi } from "./apiHarness.ts"

layer(makeTestApi, { excludeTestServices: true })("users and templates", (it) => {
  it.effect("an admin creates a user, who is a plain user unless told otherwise", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const created = yield* api.request("POST", "/api/users", { token: api.adminToken, json: { name: "uma" } })
      expect(created.status).toBe(201)
      expect(created.body).toEqual({ id: "uma", name: "uma", role: "user" })
    }))

  it.effect("a user name already taken is a 409", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/users", { token: api.adminToken, json: { name: "dup" } })
      const again = yield* api.request("POST", "/api/users", { token: api.adminToken, json: { name: "dup" } })
      expect(again.status).toBe(409)
      expect(again.body.code).toBe("user_name_taken")
    }))

  it.effect("a user may neither create nor list users", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("plain")
      const create = yield* api.request("POST", "/api/users", { token, json: { name: "sneaky", role: "admin" } })
      const list = yield* api.request("GET", "/api/users", { token })
      expect([create.status, list.status]).toEqual([403, 403])
      expect(create.body.code).toBe("admin_only")
    }))

  it.effect("an admin lists every user", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/users", { token: api.adminToken, json: { name: "listed" } })
      const list = yield* api.request("GET", "/api/users", { token: api.adminToken })
      expect(list.body).toContainEqual({ id: "listed", name: "listed", role: "user" })
      expect(list.body).toContainEqual({ id: "root", name: "root", role: "admin" })
    }))

  it.effect("a template written without env, volumes or zones gets them empty", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const put = yield* api.request("POST", "/api/templates", {
        token: api.adminToken,
        json: { name: "bare", image: "busybox:latest" }
      })
      expect(put.status).toBe(200)
      expect(put.body).toMatchObject({ name: "bare", image: "busybox:latest", env: {}, volumes: [], zones: [] })
    }))

  it.effect("a user reads templates but may not write them", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { name: "shared", image: "busybox" } })
      const token = yield* api.userWithToken("reader")
      const got = yield* api.request("GET", "/api/templates/shared", { token })
      const put = yield* api.request("POST", "/api/templates", { token, json: { name: "mine", image: "busybox" } })
      const deleted = yield* api.request("DELETE", "/api/templates/shared", { token })
      expect([got.status, put.status, deleted.status]).toEqual([200, 403, 403])
    }))

  it.effect("a template with a relative volume path is a 400 that says so", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const put = yield* api.request("POST", "/api/templates", {
        token: api.adminToken,
        json: { name: "vol", image: "busybox", volumes: [{ name: "data", mountPath: "data", keep: true }] }
      })
      expect(put.status).toBe(400)
      expect(put.body.message).toContain("must be an absolute path")
    }))

  it.effect("a deleted template is gone", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { name: "brief", image: "busybox" } })
      const deleted = yield* api.request("DELETE", "/api/templates/brief", { token: api.adminToken })
      const got = yield* api.request("GET", "/api/templates/brief", { token: api.adminToken })
      expect([deleted.status, got.status]).toEqual([204, 404])
      expect(got.body.code).toBe("template_not_found")
    }))

  it.effect("zones list this node's zone as healthy, with the node in it", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("zoner")
      const zones = yield* api.request("GET", "/api/zones", { token })
      expect(zones.body).toMatchObject([
        { name: "eu-west", health: "healthy", alive: 1, total: 1, members: [{ id: "node-a", state: "alive" }] }
      ])
    }))

  it.effect("nodes says which node answered and every member it knows", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const nodes = yield* api.request("GET", "/api/nodes", { token: api.adminToken })
      expect(nodes.body).toMatchObject({ self: "node-a", members: [{ id: "node-a", zone: "eu-west", mode: "standalone" }] })
    }))
})
