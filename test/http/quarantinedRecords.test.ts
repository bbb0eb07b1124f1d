import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { push } from "../storage/storeFixtures.ts"
import { makeTestApi, TestApi } from "./apiHarness.ts"

/** A peer's store holding `records`, gossiped to the node under test. */
const gossipFromPeer = (records: ReadonlyArray<readonly [kind: string, id: string, value: unknown]>) =>
  Effect.gen(function*() {
    const api = yield* TestApi
    const peer = yield* MemoryStore.make({ nodeId: NodeId.make("node-b"), maxDriftMs: 60_000 })
    for (const [kind, id, value] of records) yield* peer.store.put(kind, id, value)
    yield* push(peer.store, api.store)
  })

const health = Effect.flatMap(TestApi, (api) => api.request("GET", "/health"))

describe("records that do not decode", () => {
  it.scoped("a template that does not decode is left out of the list, which still answers with the others", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { name: "web", image: "busybox:latest" } })
      yield* gossipFromPeer([["template", "broken", { name: 5, image: ["not", "an", "image"] }]])
      const answer = yield* api.request("GET", "/api/templates", { token: api.adminToken })
      expect(answer.status).toBe(200)
      expect(answer.body.map((template: { name: string }) => template.name)).toEqual(["web"])
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("/health counts it as one quarantined record", () =>
    Effect.gen(function*() {
      expect((yield* health).body.quarantined).toBe(0)
      yield* gossipFromPeer([["template", "broken", { name: 5 }]])
      const api = yield* TestApi
      yield* api.request("GET", "/api/templates", { token: api.adminToken })
      yield* api.request("GET", "/api/templates", { token: api.adminToken })
      expect((yield* health).body.quarantined).toBe(1)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("looking it up by name answers 404, not 500", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* gossipFromPeer([["template", "broken", { name: 5 }]])
      const answer = yield* api.request("GET", "/api/templates/broken", { token: api.adminToken })
      expect(answer.status).toBe(404)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("a newer write of its key that decodes takes it out of quarantine", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* gossipFromPeer([["template", "broken", { name: 5 }]])
      yield* api.request("GET", "/api/templates", { token: api.adminToken })
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { name: "broken", image: "busybox:latest" } })
      const answer = yield* api.request("GET", "/api/templates", { token: api.adminToken })
      expect(answer.body.map((template: { name: string }) => template.name)).toEqual(["broken"])
      expect((yield* health).body.quarantined).toBe(0)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("users, tokens and spaces lists answer 200 with a bad record of each kind among them", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* gossipFromPeer([
        ["user", "mallory", { role: 7 }],
        ["token", "t-bad", { user: 3 }],
        ["space", "s-bad", { owner: null }],
        ["space-status", "s-bad", { observed: "exploded" }]
      ])
      for (const path of ["/api/users", "/api/tokens", "/api/spaces"]) {
        const answer = yield* api.request("GET", path, { token: api.adminToken })
        expect([path, answer.status]).toEqual([path, 200])
      }
      expect((yield* health).body.quarantined).toBeGreaterThanOrEqual(3)
    }).pipe(Effect.provide(makeTestApi)))
})
