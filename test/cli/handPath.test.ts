/**
 * `knot space list`'s hand path (cli/handPath.ts) against a test node, beside the full command
 * line: what it prints is what the full command line prints, and every case it does not take
 * plainly is left to the full command line.
 */
import { writeFileSync, mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, Logger, Schedule } from "effect"
import { runHandPath } from "../../cli/handPath.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import { makeTestApiOf, TestApi, testNodeId } from "../http/apiHarness.ts"
import { cliTestNode, closedPort, freshConfigPath } from "./cliEnvironment.ts"
import { runKnot } from "./cliHarness.ts"

const hand = (args: ReadonlyArray<string>, environment: Record<string, string>) =>
  Effect.promise(async () => {
    const stdout: Array<string> = []
    const stderr: Array<string> = []
    const exitCode = await runHandPath(args, environment, { out: (line) => stdout.push(line), err: (line) => stderr.push(line) })
    return { stdout: stdout.join("\n"), stderr: stderr.join("\n"), exitCode }
  })

layer(cliTestNode, { excludeTestServices: true })("knot space list's hand path", (it) => {
  /** An admin's environment on a node with spaces of two owners, one of them asked to stop, one with limits its quota settled. */
  const withSpaces = Effect.gen(function*() {
    const api = yield* TestApi
    yield* api.request("POST", "/api/templates", { token: api.adminToken, json: { name: "hand-web", image: "busybox" } })
    for (const name of ["ana", "ben"]) {
      const token = yield* api.userWithToken(name)
      if (name === "ana") {
        const quota = yield* api.request("PUT", "/api/quotas/users/ana", { token: api.adminToken, json: { defaultMemoryMb: 512, defaultCpus: 1 } })
        expect(quota.status, JSON.stringify(quota.body)).toBe(200)
      }
      yield* api.request("POST", "/api/spaces", { token, json: { name: `${name}-dev`, template: "hand-web" } })
    }
    yield* api.request("POST", "/api/spaces/ben/ben-dev/stop", { token: api.adminToken })
    // Two runs compared must see the same spaces: both settled as asked, so that nothing moves between them.
    yield* api.request("GET", "/api/spaces", { token: api.adminToken }).pipe(
      Effect.filterOrFail((listed) => (listed.body as ReadonlyArray<{ readonly observed: string; readonly desired: string }>)
        .every((space) => space.observed === space.desired)),
      Effect.retry(Schedule.spaced("20 millis"))
    )
    return { KNOT_SERVER: api.url, KNOT_TOKEN: api.adminToken, KNOT_CONFIG: freshConfigPath() }
  })

  it.effect("prints the table the full command line prints", () =>
    Effect.gen(function*() {
      const environment = yield* withSpaces
      const full = yield* runKnot(["space", "list"], environment)
      expect(full.stdout).toMatch(/ana-dev/)
      expect(yield* hand(["space", "list"], environment)).toEqual({ ...full, stderr: "" })
    }))

  it.effect("prints the JSON the full command line prints with --json", () =>
    Effect.gen(function*() {
      const environment = yield* withSpaces
      const full = yield* runKnot(["space", "list", "--json"], environment)
      expect(full.stdout).toMatch(/"limits"/)
      expect(yield* hand(["space", "list", "--json"], environment)).toEqual(full)
    }))

  it.effect("takes --server and --token as the full command line does, over the environment", () =>
    Effect.gen(function*() {
      const environment = yield* withSpaces
      const flags = ["--server", environment.KNOT_SERVER, "--token", environment.KNOT_TOKEN]
      const elsewhere = { KNOT_SERVER: `http://127.0.0.1:${yield* closedPort}`, KNOT_TOKEN: "knot-not-a-token", KNOT_CONFIG: environment.KNOT_CONFIG }
      const full = yield* runKnot(["space", "list", ...flags], elsewhere)
      expect(full.exitCode).toBe(0)
      expect(yield* hand(["space", "list", ...flags], elsewhere)).toEqual(full)
    }))

  it.effect("reads the server and token from the settings file knot login writes", () =>
    Effect.gen(function*() {
      const { KNOT_SERVER, KNOT_TOKEN, KNOT_CONFIG } = yield* withSpaces
      mkdirSync(dirname(KNOT_CONFIG), { recursive: true })
      writeFileSync(KNOT_CONFIG, `server = "${KNOT_SERVER}"\ntoken = "${KNOT_TOKEN}"\n`)
      const full = yield* runKnot(["space", "list"], { KNOT_CONFIG })
      expect(full.exitCode).toBe(0)
      expect(yield* hand(["space", "list"], { KNOT_CONFIG })).toEqual(full)
    }))

  it.effect("prints the server's refusal as the full command line does", () =>
    Effect.gen(function*() {
      const environment = { ...(yield* withSpaces), KNOT_TOKEN: "knot-no-such-token-0123456789" }
      const full = yield* runKnot(["space", "list"], environment)
      expect(full.exitCode).toBe(1)
      expect(yield* hand(["space", "list"], environment)).toEqual(full)
    }))

  it.effect("leaves every other command line, and what it cannot settle plainly, to the full command line", () =>
    Effect.gen(function*() {
      const environment = yield* withSpaces
      const unreachable = { ...environment, KNOT_SERVER: `http://127.0.0.1:${yield* closedPort}` }
      const tokenless = { KNOT_SERVER: environment.KNOT_SERVER, KNOT_CONFIG: environment.KNOT_CONFIG }
      for (
        const [args, env] of [
          [["space", "list", "--watch"], environment],
          [["space", "list", "--help"], environment],
          [["space", "list", "--json", "--json"], environment],
          [["space", "list", "--server"], environment],
          [["space", "get", "ana-dev"], environment],
          [["space", "list"], unreachable],
          [["space", "list"], tokenless],
          [["space", "list"], { ...environment, KNOT_TOKEN: "" }]
        ] as const
      ) {
        expect((yield* hand(args, env)).exitCode, args.join(" ")).toBeUndefined()
      }
    }))
})

describe("a 5xx through the hand path", () => {
  it.live("names its request id, which the node's log has with the failure", () => {
    const logged: Array<{ readonly message: string; readonly request: unknown }> = []
    const logger = Logger.make(({ annotations, message }) => {
      logged.push({ message: String(Array.isArray(message) ? message.join(" ") : message), request: Object.fromEntries(annotations).request })
    })
    let crash: Effect.Effect<void> = Effect.void
    const store = Layer.scoped(
      Store,
      Effect.map(MemoryStore.make({ nodeId: NodeId.make(testNodeId), maxDriftMs: 60_000 }), (handle) => {
        crash = handle.crash
        return handle.store
      })
    )
    return Effect.gen(function*() {
      const api = yield* TestApi
      // The store fails every call from now on, as a disk that has gone away would.
      yield* crash
      const run = yield* hand(["space", "list"], { KNOT_SERVER: api.url, KNOT_TOKEN: api.adminToken, KNOT_CONFIG: freshConfigPath() })
      expect(run.exitCode).toBe(1)
      const id = /; request id ([0-9a-f]{16})$/.exec(run.stderr)?.[1]
      expect(run.stderr, "the one line the CLI prints").toMatch(/^error: .+; request id [0-9a-f]{16}$/)
      expect(logged.filter((line) => line.request === id).map((line) => line.message)).toContainEqual(expect.stringMatching(/answered 5\d\d/))
    }).pipe(Effect.provide(makeTestApiOf({ store })), Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  })
})
