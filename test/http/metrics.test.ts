import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import parsePrometheus from "parse-prometheus-text-format"
import { makeTestApi, TestApi } from "./apiHarness.ts"

const scrape = Effect.gen(function*() {
  const api = yield* TestApi
  const response = yield* Effect.promise(() => fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.adminToken}` } }))
  const text = yield* Effect.promise(() => response.text())
  return { status: response.status, contentType: response.headers.get("content-type"), families: parsePrometheus(text) }
})

describe("/metrics", () => {
  it.scoped("answers admins in the Prometheus text format, counting a request the test made", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { name: "web", image: "busybox:latest" } })
      const { contentType, families, status } = yield* scrape
      expect(status).toBe(200)
      expect(contentType).toMatch(/^text\/plain/)
      const requests = families.find((family) => family.name === "knot_http_requests_total")
      expect(requests?.type).toBe("COUNTER")
      const posted = requests?.metrics.find((sample) =>
        sample.labels?.method === "POST" && sample.labels.route === "/api/templates" && sample.labels.status === "200")
      expect(Number(posted?.value)).toBeGreaterThanOrEqual(1)
      const duration = families.find((family) => family.name === "knot_http_request_duration_seconds")
      expect(duration?.type).toBe("HISTOGRAM")
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("reports spaces and members by state, quarantined records and failed sign-ins", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("GET", "/api/spaces", { token: "knot_0000000000000000_" + "0".repeat(64) })
      const { families } = yield* scrape
      const named = (name: string) => families.find((family) => family.name === name)
      expect(named("knot_spaces")?.metrics.map((sample) => sample.labels?.state)).toContain("running")
      expect(named("knot_cluster_members")?.metrics.find((sample) => sample.labels?.state === "alive")?.value).toBe("1")
      expect(named("knot_store_quarantined_records")?.metrics[0]?.value).toBe("0")
      const failures = named("knot_auth_failures_total")?.metrics.find((sample) => sample.labels?.reason === "invalid_token")
      expect(Number(failures?.value)).toBeGreaterThanOrEqual(1)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("is refused to a user who is not an admin", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("ann")
      const response = yield* Effect.promise(() => fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${token}` } }))
      expect(response.status).toBe(403)
    }).pipe(Effect.provide(makeTestApi)))
})
