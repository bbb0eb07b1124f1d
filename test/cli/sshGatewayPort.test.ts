/** `knot ssh-config` and `knot space ssh` find the SSH gateway's port in the node's `/health`, unless --ssh-port says it. */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { makeTestApiOf, TestApi } from "../http/apiHarness.ts"
import { freshConfigPath, scratchDirectory } from "./cliEnvironment.ts"
import { runKnot } from "./cliHarness.ts"

const sshConfigOf = (args: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    const api = yield* TestApi
    // A space of the caller's, so that the block has a Host to name the port in.
    yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { name: "shell", image: "busybox" } })
    yield* api.request("POST", "/api/spaces", { token: api.adminToken, json: { name: "dev", template: "shell" } })
    const file = join(scratchDirectory(), "ssh_config")
    const run = yield* runKnot(["ssh-config", "--file", file, ...args], { KNOT_SERVER: api.url, KNOT_TOKEN: api.adminToken, KNOT_CONFIG: freshConfigPath() })
    return { run, file, health: (yield* api.request("GET", "/health")).body as { readonly ssh?: unknown } }
  })

const nodeWithGatewayOn = (port: number) => Layer.fresh(makeTestApiOf({ sshListen: { host: "127.0.0.1", port } }))

describe("the SSH gateway's port, as the CLI finds it", () => {
  it.live("is the one the node's /health says its gateway listens on", () =>
    Effect.gen(function*() {
      const { run, file, health } = yield* sshConfigOf()
      expect(health.ssh).toEqual({ host: "127.0.0.1", port: 2299 })
      expect(run.exitCode, run.stderr).toBe(0)
      expect(readFileSync(file, "utf8")).toContain("Port 2299")
    }).pipe(Effect.provide(nodeWithGatewayOn(2299))))

  it.live("is --ssh-port when given", () =>
    Effect.gen(function*() {
      const { run, file } = yield* sshConfigOf(["--ssh-port", "2400"])
      expect(run.exitCode, run.stderr).toBe(0)
      expect(readFileSync(file, "utf8")).toContain("Port 2400")
    }).pipe(Effect.provide(nodeWithGatewayOn(2299))))

  it.live("is none on a node that runs no gateway, which the CLI says in one line", () =>
    Effect.gen(function*() {
      const { run, health } = yield* sshConfigOf()
      expect(health.ssh).toBeUndefined()
      expect(run.exitCode).toBe(1)
      expect(run.stderr).toMatch(/^error: the node at \S+ runs no SSH gateway .*--ssh-port/)
    }).pipe(Effect.provide(Layer.fresh(makeTestApiOf()))))
})
