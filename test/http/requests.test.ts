import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { knotVersion } from "../../effects/version.ts"
import { makeTestApi, TestApi } from "./apiHarness.ts"
import { allRoutes } from "./routes.ts"

const payloadRoutes = allRoutes.filter((route) => route.hasPayload)

layer(makeTestApi, { excludeTestServices: true })("requests", (it) => {
  describe("a body that is not JSON", () => {
    for (const route of payloadRoutes) {
      it.effect(`${route.method} ${route.path} answers 400 with a message`, () =>
        Effect.gen(function*() {
          const api = yield* TestApi
          const response = yield* api.request(route.method, route.path, { token: api.adminToken, raw: "{\"name\": " })
          expect(response.status).toBe(400)
          expect(response.contentType).toContain("application/json")
          expect(response.body.code).toBe("malformed_json")
          expect(response.body.message).toMatch(/^the request body is not valid JSON: .+/)
        }))
    }
  })

  it.effect("an empty body where JSON is expected is a 400", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* api.request("POST", "/api/spaces", { token: api.adminToken, raw: "" })
      expect(response.status).toBe(400)
      expect(response.body.message).toMatch(/^the request body must be a JSON object/)
    }))

  it.effect("a field that breaks its rule is a 400 naming the field and the rule", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* api.request("POST", "/api/spaces", {
        token: api.adminToken,
        json: { name: "Not A Slug", template: "web" }
      })
      expect(response.status).toBe(400)
      expect(response.body.code).toBe("invalid_request")
      expect(response.body.message).toMatch(/^name: a space name must be 1 to 63 characters/)
    }))

  it.effect("a missing field is a 400 naming it", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* api.request("POST", "/api/spaces", { token: api.adminToken, json: { name: "box" } })
      expect(response.status).toBe(400)
      expect(response.body.message).toBe("template is missing")
    }))

  it.effect("JSON of the wrong shape (an array) is a 400", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* api.request("POST", "/api/users", { token: api.adminToken, json: [1, 2] })
      expect(response.status).toBe(400)
      expect(response.body.code).toBe("invalid_request")
    }))

  it.effect("a route that does not exist is a JSON 404", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* api.request("GET", "/api/nothing-here", { token: api.adminToken })
      expect(response.status).toBe(404)
      expect(response.body).toMatchObject({ code: "route_not_found", message: "no route GET /api/nothing-here" })
    }))

  it.effect("the OpenAPI document describes every route", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* api.request("GET", "/api/openapi.json", { token: api.adminToken })
      expect(response.status).toBe(200)
      expect(response.body.openapi).toMatch(/^3\./)
      const documented = Object.entries(response.body.paths as Record<string, Record<string, unknown>>).flatMap(
        ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`)
      )
      const declared = allRoutes.map((route) => `${route.method} ${route.path.replace(/some-thing/g, "{}")}`)
      expect(documented.map((entry) => entry.replace(/\{[a-z]+\}/g, "{}")).sort()).toEqual(declared.sort())
      expect(response.body.components.securitySchemes).toHaveProperty("bearer")
    }))

  it.effect("the OpenAPI document answers without a token and states knot's version", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* api.request("GET", "/api/openapi.json")
      expect(response.status).toBe(200)
      expect(response.body.info.version).toBe(knotVersion)
    }))
})
