import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { makeTestApi, TestApi } from "./apiHarness.ts"

const template = { name: "web", image: "busybox:latest" }

layer(makeTestApi, { excludeTestServices: true })("strict input", (it) => {
  const post = (path: string, json: unknown) =>
    Effect.flatMap(TestApi, (api) => api.request("POST", path, { token: api.adminToken, json }))

  it.effect("an unknown template field is a 400 that names it", () =>
    Effect.gen(function*() {
      const answer = yield* post("/api/templates", { ...template, privileged: true })
      expect(answer.status).toBe(400)
      expect(answer.body.message).toContain("privileged")
    }))

  it.effect("an unknown field deep in a template is a 400 that names its path", () =>
    Effect.gen(function*() {
      const answer = yield* post("/api/templates", {
        ...template,
        volumes: [{ name: "home", mountPath: "/home", keep: true, HostConfig: { Privileged: true } }]
      })
      expect(answer.status).toBe(400)
      expect(answer.body.message).toContain("volumes.0.HostConfig")
    }))

  it.effect("an unknown field in a space or user request is a 400 that names it", () =>
    Effect.gen(function*() {
      const space = yield* post("/api/spaces", { name: "dev", template: "web", node: "n-elsewhere" })
      const user = yield* post("/api/users", { name: "ann", role: "user", password: "x" })
      expect([space.status, user.status]).toEqual([400, 400])
      expect(space.body.message).toContain("node")
      expect(user.body.message).toContain("password")
    }))

  it.effect("a token name with control characters is refused", () =>
    Effect.gen(function*() {
      const nul = yield* post("/api/tokens", { name: "lap\u0000top" })
      const ansi = yield* post("/api/tokens", { name: "\u001b[31mred" })
      expect([nul.status, ansi.status]).toEqual([400, 400])
      expect(nul.body.message).toContain("control characters")
    }))

  it.effect("memory and CPU limits the engine would not take are refused with their bounds", () =>
    Effect.gen(function*() {
      const memory = yield* post("/api/templates", { ...template, memoryMb: 2 ** 53 - 1 })
      const cpus = yield* post("/api/templates", { ...template, cpus: 1e-300 })
      expect([memory.status, cpus.status]).toEqual([400, 400])
      expect(memory.body.message).toContain("memoryMb must be a whole number from 6 to 1048576")
      expect(cpus.body.message).toContain("cpus must be a number from 0.01 to 1024")
    }))

  it.effect("a template within the bounds is taken", () =>
    Effect.gen(function*() {
      const answer = yield* post("/api/templates", { ...template, memoryMb: 512, cpus: 1.5 })
      expect(answer.status).toBe(200)
    }))
})
