import { describe, expect, layer } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { hashSecret, tokenIdOf } from "../../effects/http/auth/tokenSecret.ts"
import { makeTestApi, TestApi, testNodeId, testZone } from "./apiHarness.ts"
import { protectedRoutes } from "./routes.ts"

layer(makeTestApi, { excludeTestServices: true })("authentication", (it) => {
  describe("every route but /health", () => {
    for (const route of protectedRoutes) {
      it.effect(`${route.method} ${route.path} answers 401 without a token`, () =>
        Effect.gen(function*() {
          const api = yield* TestApi
          const response = yield* api.request(route.method, route.path, route.hasPayload ? { json: {} } : {})
          expect(response.status).toBe(401)
          expect(response.body.code).toBe("missing_token")
        }))
    }

    for (const route of protectedRoutes) {
      it.effect(`${route.method} ${route.path} answers 401 with an unknown token`, () =>
        Effect.gen(function*() {
          const api = yield* TestApi
          const forged = `knot_0123456789abcdef_${"0".repeat(64)}`
          const response = yield* api.request(route.method, route.path, { token: forged })
          expect(response.status).toBe(401)
          expect(response.body.code).toBe("invalid_token")
        }))
    }
  })

  it.effect("/health answers without a token with the node, its mode and zone", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* api.request("GET", "/health")
      expect(response.status).toBe(200)
      expect(response.body).toEqual({ status: "ok", node: testNodeId, mode: "standalone", zone: testZone, quarantined: 0, refused: 0 })
    }))

  it.effect("an Authorization header of another scheme is refused", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* Effect.promise(() =>
        fetch(`${api.url}/api/spaces`, { headers: { authorization: `Basic ${api.adminToken}` } }))
      expect(response.status).toBe(401)
      expect(((yield* Effect.promise(() => response.json())) as { code: string }).code).toBe("invalid_authorization")
    }))

  it.effect("a token's secret is stored only as its SHA-256 hash", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const issued = yield* api.request("POST", "/api/tokens", { token: api.adminToken, json: { name: "laptop" } })
      expect(issued.status).toBe(201)
      const secret: string = issued.body.secret
      const everything = yield* Stream.runCollect(api.store.sinceStream({}))
      const dump = JSON.stringify([...everything].map((record) => record.value))
      expect(dump).not.toContain(secret)
      expect(dump).not.toContain(secret.split("_")[2])
      const stored = yield* api.store.get("token", tokenIdOf(secret))
      expect(stored?.value).toMatchObject({ hash: hashSecret(secret), name: "laptop" })
    }))

  it.effect("a new token acts as its user", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("alice")
      const me = yield* api.request("GET", "/api/users/me", { token })
      expect(me.body).toEqual({ id: "alice", name: "alice", role: "user" })
    }))

  it.effect("a revoked token is refused", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("bob")
      const revoked = yield* api.request("DELETE", `/api/tokens/${tokenIdOf(token)}`, { token })
      expect(revoked.status).toBe(204)
      const after = yield* api.request("GET", "/api/spaces", { token })
      expect(after.status).toBe(401)
    }))

  it.effect("a user lists their own tokens, without secrets", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("carol")
      yield* api.request("POST", "/api/tokens", { token, json: { name: "ci" } })
      const listed = yield* api.request("GET", "/api/tokens", { token })
      expect(listed.status).toBe(200)
      expect(listed.body.map((entry: { user: string }) => entry.user)).toEqual(["carol", "carol"])
      expect(listed.body.map((entry: { name?: string }) => entry.name).sort()).toEqual(["ci", undefined])
      expect(JSON.stringify(listed.body)).not.toContain("secret")
    }))

  it.effect("a user cannot create a token for another user", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("dave")
      const response = yield* api.request("POST", "/api/tokens", { token, json: { user: "root" } })
      expect(response.status).toBe(403)
      expect(response.body.code).toBe("admin_only")
    }))

  it.effect("a user cannot revoke another user's token", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("erin")
      const response = yield* api.request("DELETE", `/api/tokens/${tokenIdOf(api.adminToken)}`, { token })
      expect(response.status).toBe(403)
    }))

  it.effect("an admin's token for a user who does not exist is a 404", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* api.request("POST", "/api/tokens", { token: api.adminToken, json: { user: "nobody" } })
      expect(response.status).toBe(404)
      expect(response.body.code).toBe("user_not_found")
    }))
})
