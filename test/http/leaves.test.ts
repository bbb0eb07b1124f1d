import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { makeTestApi, makeTestApiOf, TestApi } from "./apiHarness.ts"

const credentialOf = (name: string) => new RegExp(`^knot-leaf:${name}:[0-9a-f]{64}$`)

const addLeaf = (json: unknown, token?: string) =>
  Effect.flatMap(TestApi, (api) => api.request("POST", "/api/leaves", { token: token ?? api.adminToken, json }))

layer(makeTestApiOf({ mode: "cluster" }), { excludeTestServices: true })("leaves on a cluster node", (it) => {
  it.effect("an admin adds a leaf and gets its credential once; the list shows neither it nor its verifier", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.userWithToken("lena")
      const added = yield* addLeaf({ name: "laptop", zone: "home", users: ["lena"] })
      expect(added.status).toBe(201)
      expect(added.body.credential).toMatch(credentialOf("laptop"))
      expect(added.body.leaf).toMatchObject({ name: "laptop", zone: "home", users: ["lena"], state: "waiting" })
      const listed = yield* api.request("GET", "/api/leaves", { token: api.adminToken })
      expect(listed.status).toBe(200)
      const leaf = listed.body.find((leaf: { name: string }) => leaf.name === "laptop")
      expect(leaf).toEqual(added.body.leaf)
      const secret = added.body.credential.split(":")[2]
      expect(JSON.stringify(listed.body)).not.toContain(secret)
      expect(JSON.stringify(listed.body)).not.toContain("verifier")
    }))

  it.effect("a leaf added without users has none", () =>
    Effect.gen(function*() {
      const added = yield* addLeaf({ name: "kiosk" })
      expect(added.status).toBe(201)
      expect(added.body.leaf.users).toEqual([])
    }))

  it.effect("a user who is not an admin is refused on every leaf endpoint", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("nadia")
      yield* addLeaf({ name: "guarded" })
      const add = yield* addLeaf({ name: "sneaky" }, token)
      const list = yield* api.request("GET", "/api/leaves", { token })
      const revoke = yield* api.request("POST", "/api/leaves/guarded/revoke", { token })
      const set = yield* api.request("PATCH", "/api/leaves/guarded", { token, json: { zone: "home" } })
      expect([add.status, list.status, revoke.status, set.status]).toEqual([403, 403, 403, 403])
      expect(add.body.code).toBe("admin_only")
    }))

  it.effect("a name already taken by a leaf is a 409 that names it", () =>
    Effect.gen(function*() {
      yield* addLeaf({ name: "twin" })
      const again = yield* addLeaf({ name: "twin" })
      expect(again.status).toBe(409)
      expect(again.body.code).toBe("leaf_name_taken")
      expect(again.body.message).toContain("a leaf named twin already exists")
    }))

  it.effect("a leaf for a user who does not exist is refused with an error naming the user", () =>
    Effect.gen(function*() {
      const added = yield* addLeaf({ name: "orphan", users: ["ghost"] })
      expect(added.status).toBe(404)
      expect(added.body.code).toBe("user_not_found")
      expect(added.body.message).toContain("no user named ghost")
    }))

  it.effect("a leaf name that is not a slug is a 400", () =>
    Effect.gen(function*() {
      const added = yield* addLeaf({ name: "Not A Slug" })
      expect(added.status).toBe(400)
      expect(JSON.stringify(added.body)).toContain("a leaf name must be 1 to 63 characters")
    }))

  it.effect("revoking a leaf marks it revoked, with the time it was", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* addLeaf({ name: "stolen" })
      const revoked = yield* api.request("POST", "/api/leaves/stolen/revoke", { token: api.adminToken })
      expect(revoked.status).toBe(200)
      expect(revoked.body.state).toBe("revoked")
      expect(typeof revoked.body.revokedAt).toBe("number")
      const listed = yield* api.request("GET", "/api/leaves", { token: api.adminToken })
      expect(listed.body.find((leaf: { name: string }) => leaf.name === "stolen")).toEqual(revoked.body)
    }))

  it.effect("an admin changes a leaf's users and zone in place; its credential stays good", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.userWithToken("olga")
      yield* api.userWithToken("omar")
      yield* addLeaf({ name: "studio", zone: "home", users: ["olga"] })
      const changed = yield* api.request("PATCH", "/api/leaves/studio", { token: api.adminToken, json: { users: ["omar", "olga", "omar"] } })
      expect(changed.status).toBe(200)
      expect(changed.body).toMatchObject({ name: "studio", zone: "home", users: ["olga", "omar"], state: "waiting" })
      const moved = yield* api.request("PATCH", "/api/leaves/studio", { token: api.adminToken, json: { zone: "office" } })
      expect(moved.body).toMatchObject({ zone: "office", users: ["olga", "omar"] })
      const listed = yield* api.request("GET", "/api/leaves", { token: api.adminToken })
      expect(listed.body.find((leaf: { name: string }) => leaf.name === "studio")).toEqual(moved.body)
    }))

  it.effect("changing a leaf refuses an unknown user, a revoked or unknown leaf, and an empty change, each saying why", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* addLeaf({ name: "bench" })
      const patch = (name: string, json: unknown) => api.request("PATCH", `/api/leaves/${name}`, { token: api.adminToken, json })
      const ghost = yield* patch("bench", { users: ["ghost"] })
      expect([ghost.status, ghost.body.code]).toEqual([404, "user_not_found"])
      const empty = yield* patch("bench", {})
      expect([empty.status, empty.body.code]).toEqual([400, "nothing_to_change"])
      const nowhere = yield* patch("nowhere", { zone: "home" })
      expect([nowhere.status, nowhere.body.code]).toEqual([404, "leaf_not_found"])
      yield* api.request("POST", "/api/leaves/bench/revoke", { token: api.adminToken })
      const revoked = yield* patch("bench", { zone: "home" })
      expect([revoked.status, revoked.body.code]).toEqual([409, "leaf_revoked"])
      expect(revoked.body.message).toContain("knot leaf add bench")
    }))

  it.effect("revoking a leaf that does not exist is a 404", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const revoked = yield* api.request("POST", "/api/leaves/nowhere/revoke", { token: api.adminToken })
      expect(revoked.status).toBe(404)
      expect(revoked.body.code).toBe("leaf_not_found")
      expect(revoked.body.message).toContain("no leaf named nowhere")
    }))

  it.effect("once revoked, the name can be added again, with a new credential", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const first = yield* addLeaf({ name: "reborn" })
      yield* api.request("POST", "/api/leaves/reborn/revoke", { token: api.adminToken })
      const second = yield* addLeaf({ name: "reborn" })
      expect(second.status).toBe(201)
      expect(second.body.leaf.state).toBe("waiting")
      expect(second.body.credential).toMatch(credentialOf("reborn"))
      expect(second.body.credential).not.toBe(first.body.credential)
    }))
})

describe("leaves on a node that is not a cluster node", () => {
  it.scoped("adding, changing or revoking a leaf is refused with where to do it instead", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const added = yield* addLeaf({ name: "laptop" })
      const changed = yield* api.request("PATCH", "/api/leaves/laptop", { token: api.adminToken, json: { zone: "home" } })
      const revoked = yield* api.request("POST", "/api/leaves/laptop/revoke", { token: api.adminToken })
      expect([added.status, changed.status, revoked.status]).toEqual([409, 409, 409])
      expect(changed.body.code).toBe("leaves_on_cluster_nodes")
      expect(added.body.code).toBe("leaves_on_cluster_nodes")
      expect(added.body.message).toBe(
        "leaves are added on a cluster node; run this against one of the cluster's nodes (this node is standalone)"
      )
    }).pipe(Effect.provide(makeTestApi)))
})
