import { afterEach, describe, expect, it } from "@effect/vitest"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import type { Server, Socket } from "node:net"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { ContainerDriver } from "../../effects/container/containerDriver.ts"
import { DockerDriver } from "../../effects/docker/dockerDriver.ts"

// These need no engine: they point the driver at sockets where none answers.

const directories: Array<string> = []
const servers: Array<Server> = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

const scratch = () => {
  const directory = mkdtempSync(join(tmpdir(), "knot-engine-"))
  directories.push(directory)
  return directory
}

const spec = {
  name: "knot-unreachable",
  image: "knot-busybox:latest",
  env: {},
  labels: {},
  volumes: []
}

/** Runs one call of every kind and gives the error tag and socket of each. */
const everyCall = Effect.gen(function*() {
  const driver = yield* ContainerDriver
  const calls = [
    driver.create(spec),
    driver.start("c1"),
    driver.stop("c1", 1),
    driver.remove("c1", { volumes: ["v1"] }),
    driver.inspect("c1"),
    driver.listByLabels({})
  ]
  return yield* Effect.forEach(calls, (call) =>
    Effect.map(Effect.flip(call), (error) => [error._tag, "socket" in error ? error.socket : undefined]))
})

describe("DockerDriver without an engine", () => {
  it.live("fails every call with EngineUnreachable when the socket file does not exist", () => {
    const socketPath = join(scratch(), "docker.sock")
    return Effect.gen(function*() {
      const started = Date.now()
      const outcomes = yield* everyCall
      console.log(`six calls against a missing socket failed in ${Date.now() - started} ms`)
      expect(new Set(outcomes.map(([tag, socket]) => `${tag} ${socket}`))).toEqual(
        new Set([`EngineUnreachable ${socketPath}`])
      )
    }).pipe(Effect.provide(DockerDriver.layer({ socketPath })))
  })

  it.live("fails with EngineUnreachable when nothing listens behind the socket file", () => {
    // A socket file left behind by an engine that died refuses connections like this one.
    const socketPath = join(scratch(), "docker.sock")
    writeFileSync(socketPath, "")
    return Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const error = yield* Effect.flip(driver.inspect("c1"))
      expect(error._tag).toBe("EngineUnreachable")
      expect(error.message).toContain("ECONNREFUSED")
    }).pipe(Effect.provide(DockerDriver.layer({ socketPath })))
  })

  it.live("gives up on an engine that accepts but never answers, and drops the connection", () => {
    const socketPath = join(scratch(), "docker.sock")
    const connections: Array<Socket> = []
    const hung = createServer((connection) => {
      // Read the request and never answer; reading is what lets the server see the client go.
      connection.resume()
      connections.push(connection)
    })
    servers.push(hung)
    return Effect.gen(function*() {
      yield* Effect.async<void>((resume) => {
        hung.listen(socketPath, () => resume(Effect.void))
      })
      const driver = yield* ContainerDriver
      const error = yield* Effect.flip(driver.inspect("c1"))
      expect(error._tag).toBe("EngineUnreachable")
      expect(error.message).toContain("no answer to inspect")
      const [connection] = connections
      const dropped = yield* Effect.async<boolean>((resume) => {
        if (connection === undefined || connection.closed) return resume(Effect.succeed(connection !== undefined))
        connection.once("close", () => resume(Effect.succeed(true)))
      }).pipe(Effect.timeoutTo({ duration: "5 seconds", onSuccess: (closed) => closed, onTimeout: () => false }))
      expect(dropped).toBe(true)
    }).pipe(Effect.provide(DockerDriver.layer({ socketPath, requestTimeout: "200 millis" })))
  })
})
