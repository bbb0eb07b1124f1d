import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeTestApi, TestApi } from "../http/apiHarness.ts"

const dir = mkdtempSync(join(tmpdir(), "knot-ssh-keys-"))
const newPublicKey = (name: string, comment = `${name}@laptop`) => {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", join(dir, name)])
  return readFileSync(join(dir, `${name}.pub`), "utf8")
}
const fingerprintOf = (name: string) => execFileSync("ssh-keygen", ["-lf", join(dir, `${name}.pub`)], { encoding: "utf8" }).split(" ")[1]

describe("SSH keys on a user's profile, through the API", () => {
  it.scoped("a user adds a key to their own profile, named by its comment, with the fingerprint ssh-keygen prints", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("ann")
      const added = yield* api.request("POST", "/api/ssh-keys", { token, json: { publicKey: newPublicKey("ann1") } })
      expect(added.status).toBe(201)
      expect(added.body).toMatchObject({ user: "ann", name: "ann1@laptop", type: "ssh-ed25519", fingerprint: fingerprintOf("ann1") })
      const listed = yield* api.request("GET", "/api/ssh-keys", { token })
      expect(listed.body.map((key: { readonly name: string }) => key.name)).toEqual(["ann1@laptop"])
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("deleting a user removes the keys on their profile", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken("gone")
      yield* api.request("POST", "/api/ssh-keys", { token, json: { publicKey: newPublicKey("gone1") } })
      expect((yield* api.request("DELETE", "/api/users/gone", { token: api.adminToken })).status).toBeLessThan(300)
      const left = yield* api.request("GET", "/api/ssh-keys", { token: api.adminToken })
      expect(left.body.filter((key: { readonly user: string }) => key.user === "gone")).toEqual([])
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("a private key is refused, saying to give its public half", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      newPublicKey("secret")
      const refused = yield* api.request("POST", "/api/ssh-keys", {
        token: api.adminToken,
        json: { publicKey: readFileSync(join(dir, "secret"), "utf8") }
      })
      expect(refused.status).toBe(400)
      expect(refused.body.message).toMatch(/public half/)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("a key already on another user's profile is refused", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const ann = yield* api.userWithToken("ann")
      const bob = yield* api.userWithToken("bob")
      const key = newPublicKey("shared")
      yield* api.request("POST", "/api/ssh-keys", { token: ann, json: { publicKey: key } })
      const refused = yield* api.request("POST", "/api/ssh-keys", { token: bob, json: { publicKey: key } })
      expect(refused.status).toBe(409)
      expect(refused.body.message).toMatch(/another user's profile/)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("a user may neither add a key to another's profile nor list or remove another's keys", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const ann = yield* api.userWithToken("ann")
      const bob = yield* api.userWithToken("bob")
      const added = yield* api.request("POST", "/api/ssh-keys", { token: ann, json: { publicKey: newPublicKey("ann2") } })
      expect((yield* api.request("POST", "/api/ssh-keys", { token: bob, json: { publicKey: newPublicKey("b1"), user: "ann" } })).status).toBe(403)
      expect((yield* api.request("GET", "/api/ssh-keys?user=ann", { token: bob })).status).toBe(403)
      expect((yield* api.request("DELETE", `/api/ssh-keys/${added.body.id}`, { token: bob })).status).toBe(403)
    }).pipe(Effect.provide(makeTestApi)))

  it.scoped("an admin adds, lists and removes anyone's keys", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const ann = yield* api.userWithToken("ann")
      const added = yield* api.request("POST", "/api/ssh-keys", {
        token: api.adminToken,
        json: { publicKey: newPublicKey("ann3"), user: "ann", name: "workstation" }
      })
      expect(added.body).toMatchObject({ user: "ann", name: "workstation" })
      const all = yield* api.request("GET", "/api/ssh-keys?all=true", { token: api.adminToken })
      expect(all.body.map((key: { readonly user: string }) => key.user)).toEqual(["ann"])
      const removed = yield* api.request("DELETE", `/api/ssh-keys/${added.body.id}`, { token: api.adminToken })
      expect(removed.status).toBe(200)
      expect((yield* api.request("GET", "/api/ssh-keys", { token: ann })).body).toEqual([])
    }).pipe(Effect.provide(makeTestApi)))
})
