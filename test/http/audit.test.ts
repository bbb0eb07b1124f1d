import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeTestApi, TestApi, testNodeId } from "./apiHarness.ts"

describe("the audit log", () => {
  it.scoped("holds an entry for each write the test made: who, what, on what, how it was answered, from where, on which node", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { name: "web", image: "busybox:latest" } })
      const ann = yield* api.userWithToken("ann")
      yield* api.request("POST", "/api/spaces", { token: ann, json: { name: "dev", template: "web" } })
      yield* api.request("DELETE", "/api/templates/missing", { token: api.adminToken })
      yield* api.request("GET", "/api/spaces", { token: ann })
      const audit = yield* api.request("GET", "/api/audit", { token: api.adminToken })
      expect(audit.status).toBe(200)
      const entries = audit.body.map((entry: any) => [entry.user, entry.method, entry.path, entry.status])
      expect(entries).toEqual([
        ["root", "POST", "/api/templates", 200],
        ["root", "POST", "/api/users", 201],
        ["root", "POST", "/api/tokens", 201],
        ["ann", "POST", "/api/spaces", 201],
        ["root", "DELETE", "/api/templates/missing", 404]
      ])
      expect(audit.body[0]).toMatchObject({ address: expect.stringMatching(/127\.0\.0\.1/), node: testNodeId })
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("records a write whose token failed, without a user", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: "knot_0000000000000000_" + "0".repeat(64), json: {} })
      const audit = yield* api.request("GET", "/api/audit", { token: api.adminToken })
      expect(audit.body.map((entry: any) => [entry.user, entry.status])).toEqual([[undefined, 401]])
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("filters by user and by time, and is for admins only", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const ann = yield* api.userWithToken("ann")
      yield* api.request("POST", "/api/tokens", { token: ann, json: { name: "second" } })
      const ofAnn = yield* api.request("GET", "/api/audit?user=ann", { token: api.adminToken })
      expect(ofAnn.body.map((entry: any) => entry.path)).toEqual(["/api/tokens"])
      const future = yield* api.request("GET", `/api/audit?since=${Date.now() + 60_000}`, { token: api.adminToken })
      expect(future.body).toEqual([])
      expect((yield* api.request("GET", "/api/audit", { token: ann })).status).toBe(403)
    }).pipe(Effect.provide(makeTestApi)))
})
