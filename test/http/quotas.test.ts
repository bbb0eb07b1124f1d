import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeTestApi, TestApi } from "./apiHarness.ts"

const template = (name: string, limits: Record<string, number> = {}) => ({ name, image: "busybox:latest", ...limits })

const setUp = Effect.gen(function*() {
  const api = yield* TestApi
  yield* api.request("POST", "/api/templates", { token: api.adminToken, json: template("web") })
  yield* api.request("POST", "/api/templates", { token: api.adminToken, json: template("big", { memoryMb: 4096, cpus: 4 }) })
  return { api, ann: yield* api.userWithToken("ann") }
})

const create = (token: string, name: string, templateName = "web") =>
  Effect.flatMap(TestApi, (api) => api.request("POST", "/api/spaces", { token, json: { name, template: templateName } }))

describe("quotas", () => {
  it.scoped("a create past a user's space quota is refused with the quota and what is in use", () =>
    Effect.gen(function*() {
      const { ann, api } = yield* setUp
      yield* api.request("PUT", "/api/quotas/users/ann", { token: api.adminToken, json: { maxSpaces: 1 } })
      expect((yield* create(ann, "one")).status).toBe(201)
      const refused = yield* create(ann, "two")
      expect(refused.status).toBe(409)
      expect(refused.body.code).toBe("quota_exceeded")
      expect(refused.body.message).toContain("ann's quota allows 1 spaces, and 1 exist")
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("the cluster default applies to users with no quota of their own, and theirs overrides it", () =>
    Effect.gen(function*() {
      const { ann, api } = yield* setUp
      const bob = yield* api.userWithToken("bob")
      yield* api.request("PUT", "/api/quotas/default", { token: api.adminToken, json: { maxSpaces: 1 } })
      yield* api.request("PUT", "/api/quotas/users/bob", { token: api.adminToken, json: { maxSpaces: 2 } })
      yield* create(ann, "one")
      yield* create(bob, "one")
      expect((yield* create(ann, "two")).status).toBe(409)
      expect((yield* create(bob, "two")).status).toBe(201)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("a start past the running quota is refused; a stopped space may stay", () =>
    Effect.gen(function*() {
      const { ann, api } = yield* setUp
      yield* api.request("PUT", "/api/quotas/users/ann", { token: api.adminToken, json: { maxRunning: 1 } })
      yield* create(ann, "one")
      expect((yield* create(ann, "two")).body.message).toContain("allows 1 running spaces, and 1 are running")
      yield* api.request("POST", "/api/spaces/ann/one/stop", { token: ann })
      expect((yield* create(ann, "two")).status).toBe(201)
      const started = yield* api.request("POST", "/api/spaces/ann/one/start", { token: ann })
      expect(started.status).toBe(409)
      expect(started.body.code).toBe("quota_exceeded")
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("a template asking more memory or CPUs than the user's ceiling is refused", () =>
    Effect.gen(function*() {
      const { ann, api } = yield* setUp
      yield* api.request("PUT", "/api/quotas/users/ann", { token: api.adminToken, json: { maxMemoryMb: 2048, maxCpus: 8 } })
      const refused = yield* create(ann, "huge", "big")
      expect(refused.status).toBe(409)
      expect(refused.body.message).toContain("ann's quota allows 2048 MB of memory a space, and template big asks 4096 MB")
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("a space of a template without limits gets its owner's defaults, or the ceiling", () =>
    Effect.gen(function*() {
      const { ann, api } = yield* setUp
      yield* api.request("PUT", "/api/quotas/users/ann", { token: api.adminToken, json: { defaultMemoryMb: 512, maxCpus: 2 } })
      const created = yield* create(ann, "one")
      expect(created.body.limits).toEqual({ memoryMb: 512, cpus: 2 })
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("only admins see and set quotas", () =>
    Effect.gen(function*() {
      const { ann, api } = yield* setUp
      expect((yield* api.request("GET", "/api/quotas", { token: ann })).status).toBe(403)
      expect((yield* api.request("PUT", "/api/quotas/users/ann", { token: ann, json: { maxSpaces: 100 } })).status).toBe(403)
      yield* api.request("PUT", "/api/quotas/users/ann", { token: api.adminToken, json: { maxSpaces: 3 } })
      const listed = yield* api.request("GET", "/api/quotas", { token: api.adminToken })
      expect(listed.body).toEqual([{ user: "ann", maxSpaces: 3 }])
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("a quota for a user who does not exist is a 404, and an unknown field a 400", () =>
    Effect.gen(function*() {
      const { api } = yield* setUp
      expect((yield* api.request("PUT", "/api/quotas/users/ghost", { token: api.adminToken, json: { maxSpaces: 1 } })).status).toBe(404)
      expect((yield* api.request("PUT", "/api/quotas/default", { token: api.adminToken, json: { maxGpus: 1 } })).status).toBe(400)
    }).pipe(Effect.provide(makeTestApi)))
})
