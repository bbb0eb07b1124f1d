import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { encodeKeptVolume, volumeKind } from "../../actors/space/keptVolumes.ts"
import { makeTestApi, TestApi, testNodeId, testZone } from "./apiHarness.ts"

const template = (name: string, zones: ReadonlyArray<string> = []) => ({ name, image: "busybox:latest", zones })

layer(makeTestApi, { excludeTestServices: true })("spaces", (it) => {
  /** A template, a user with a token, and a space of theirs. */
  const userWithSpace = (user: string, space: string) =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: template("web") })
      const token = yield* api.userWithToken(user)
      const created = yield* api.request("POST", "/api/spaces", { token, json: { name: space, template: "web" } })
      expect(created.status).toBe(201)
      return token
    })

  it.effect("a created space belongs to its creator, placed on this node and asked to run", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* userWithSpace("ann", "ann-dev")
      const space = yield* api.request("GET", "/api/spaces/ann/ann-dev", { token })
      expect(space.status).toBe(200)
      expect(space.body).toMatchObject({
        id: space.body.creation,
        name: "ann-dev",
        owner: "ann",
        template: "web",
        node: testNodeId,
        zone: testZone,
        desired: "running",
        observed: "pending"
      })
    }))

  describe("another user's space", () => {
    const requests = [
      ["GET", ""],
      ["POST", "/start"],
      ["POST", "/stop"],
      ["DELETE", ""]
    ] as const
    for (const [method, suffix] of requests) {
      it.effect(`${method} /api/spaces/:owner/:name${suffix} answers 403`, () =>
        Effect.gen(function*() {
          const api = yield* TestApi
          const owner = `own${method.length}${suffix.length}`
          yield* userWithSpace(owner, `${owner}-box`)
          const intruder = yield* api.userWithToken(`in${method.length}${suffix.length}`)
          const response = yield* api.request(method, `/api/spaces/${owner}/${owner}-box${suffix}`, { token: intruder })
          expect(response.status).toBe(403)
          expect(response.body.code).toBe("not_owner")
          const untouched = yield* api.request("GET", `/api/spaces/${owner}/${owner}-box`, { token: api.adminToken })
          expect(untouched.body.desired).toBe("running")
        }))
    }
  })

  it.effect("a user's list holds only their own spaces, an admin's every space", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const first = yield* userWithSpace("lister-1", "lister-1-a")
      yield* userWithSpace("lister-2", "lister-2-a")
      const own = yield* api.request("GET", "/api/spaces", { token: first })
      expect(own.body.map((space: { name: string }) => space.name)).toEqual(["lister-1-a"])
      const all = yield* api.request("GET", "/api/spaces", { token: api.adminToken })
      const names = all.body.map((space: { name: string }) => space.name)
      expect(names).toContain("lister-1-a")
      expect(names).toContain("lister-2-a")
    }))

  it.effect("an admin stops and deletes another user's space", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* userWithSpace("driven", "driven-box")
      const stopped = yield* api.request("POST", "/api/spaces/driven/driven-box/stop", { token: api.adminToken })
      expect(stopped.status).toBe(200)
      expect(stopped.body.desired).toBe("stopped")
      const deleted = yield* api.request("DELETE", "/api/spaces/driven/driven-box", { token: api.adminToken })
      expect(deleted.body.desired).toBe("deleted")
    }))

  it.effect("a name already taken is a 409", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* userWithSpace("twice", "twice-box")
      const again = yield* api.request("POST", "/api/spaces", { token, json: { name: "twice-box", template: "web" } })
      expect(again.status).toBe(409)
      expect(again.body).toMatchObject({ code: "space_name_taken", message: expect.stringContaining("twice-box") })
    }))

  it.effect("a template that does not exist is a 404", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* api.request("POST", "/api/spaces", {
        token: api.adminToken,
        json: { name: "orphan", template: "nope" }
      })
      expect(response.status).toBe(404)
      expect(response.body.code).toBe("template_not_found")
    }))

  it.effect("a template whose zones have no alive node is a 503 that names them", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: template("gpu", ["us-east"]) })
      const response = yield* api.request("POST", "/api/spaces", {
        token: api.adminToken,
        json: { name: "far", template: "gpu" }
      })
      expect(response.status).toBe(503)
      expect(response.body).toMatchObject({
        code: "no_alive_node_in_zones",
        message: "no alive node in zones [us-east] for template gpu"
      })
    }))

  it.effect("a space that does not exist is a 404", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const response = yield* api.request("POST", "/api/spaces/root/ghost/start", { token: api.adminToken })
      expect(response.status).toBe(404)
      expect(response.body.code).toBe("space_not_found")
    }))

  it.effect("starting a space whose deletion was requested is a 409", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* userWithSpace("late", "late-box")
      yield* api.request("DELETE", "/api/spaces/late/late-box", { token })
      const response = yield* api.request("POST", "/api/spaces/late/late-box/start", { token })
      expect(response.status).toBe(409)
      expect(response.body.code).toBe("space_request_refused")
    }))

  it.effect("two users each have a space named dev, each at its own address", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const carol = yield* userWithSpace("carol", "dev")
      const dave = yield* userWithSpace("dave", "dev")
      const carols = yield* api.request("GET", "/api/spaces/carol/dev", { token: carol })
      const daves = yield* api.request("GET", "/api/spaces/dave/dev", { token: dave })
      expect(carols.body.owner).toBe("carol")
      expect(daves.body.owner).toBe("dave")
      expect(carols.body.id).not.toBe(daves.body.id)
    }))

  describe("kept volumes", () => {
    const keep = (id: string, owner: string) =>
      Effect.flatMap(TestApi, (api) =>
        api.store.put(volumeKind, id, encodeKeptVolume({
          owner,
          node: "node-a",
          zone: "eu-west",
          volume: "home",
          space: "dev",
          spaceId: "0123456789abcdef",
          keptAt: 0,
          desired: "kept"
        })))

    it.effect("a user lists only their own kept volumes", () =>
      Effect.gen(function*() {
        const api = yield* TestApi
        const token = yield* api.userWithToken("erin")
        yield* keep("knot.dev.00000000000000e1.home", "erin")
        yield* keep("knot.dev.00000000000000f1.home", "frank")
        const listed = yield* api.request("GET", "/api/volumes", { token })
        expect(listed.body.map((volume: { id: string }) => volume.id)).toEqual(["knot.dev.00000000000000e1.home"])
      }))

    it.effect("reusing another user's kept volume is a 403 with a one-line reason, and creates nothing", () =>
      Effect.gen(function*() {
        const api = yield* TestApi
        yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { ...template("homed"), volumes: [{ name: "home", mountPath: "/home/dev", keep: true }] } })
        yield* keep("knot.dev.00000000000000a2.home", "gina")
        const token = yield* api.userWithToken("hank")
        const response = yield* api.request("POST", "/api/spaces", {
          token,
          json: { name: "dev", template: "homed", reuseVolumes: { home: "knot.dev.00000000000000a2.home" } }
        })
        expect(response.status).toBe(403)
        expect(response.body.message).toBe(
          "kept volume knot.dev.00000000000000a2.home belongs to another user; only its owner can reuse it"
        )
        const listed = yield* api.request("GET", "/api/spaces", { token })
        expect(listed.body).toEqual([])
      }))

    it.effect("deleting another user's kept volume is a 403; the owner's delete marks it for removal", () =>
      Effect.gen(function*() {
        const api = yield* TestApi
        yield* keep("knot.dev.00000000000000b3.home", "ivy")
        const ivy = yield* api.userWithToken("ivy")
        const jack = yield* api.userWithToken("jack")
        const refused = yield* api.request("DELETE", "/api/volumes/knot.dev.00000000000000b3.home", { token: jack })
        expect(refused.status).toBe(403)
        const deleted = yield* api.request("DELETE", "/api/volumes/knot.dev.00000000000000b3.home", { token: ivy })
        expect(deleted.status).toBe(200)
        expect(deleted.body.desired).toBe("deleted")
      }))
  })
})
