/**
 * The owner node's side of agent forwarding: a socket in the space's agent directory, whose
 * connections wait to be claimed by the node that holds the SSH session.
 */
import { mkdtempSync, readdirSync } from "node:fs"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Scope, Stream } from "effect"
import { makeAgentSockets } from "../../effects/docker/agentSockets.ts"

const lineOf = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trim()

describe("agent sockets on the owner node", () => {
  it.live("makes a socket, announces each connection made to it, and removes it when the stream closes", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "knot-agent-"))
      const sockets = makeAgentSockets()
      const scope = yield* Scope.make()
      const listening = yield* Scope.extend(sockets.listen("c1", dir, "/run/knot/agent"), scope)
      const [first] = yield* Stream.runCollect(Stream.take(listening.output, 1)).pipe(Effect.map(Chunk.toArray))
      expect(lineOf(first!.bytes)).toMatch(/^listener [0-9a-f]{32} \/run\/knot\/agent\/agent-[0-9a-f]{32}\.sock$/)
      expect(readdirSync(dir)).toHaveLength(1)
      yield* Scope.close(scope, Exit.void)
      expect(readdirSync(dir)).toEqual([])
    }))

  it.live("carries a connection's bytes both ways once it is claimed, and only for its own container", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "knot-agent-"))
      const sockets = makeAgentSockets()
      const listening = yield* sockets.listen("c1", dir, dir)
      const lines = yield* Stream.toPull(listening.output)
      const [, id, path] = lineOf(Chunk.unsafeHead(yield* lines).bytes).split(" ")
      const client = connect(path!)
      client.write("ping")
      expect(lineOf(Chunk.unsafeHead(yield* lines).bytes)).toBe("connection 1")
      const stolen = yield* Effect.either(sockets.claim("c2", id!, 1))
      expect(stolen._tag).toBe("Left")
      const claimed = yield* sockets.claim("c1", id!, 1)
      const received = yield* Stream.toPull(claimed.output)
      expect(lineOf(Chunk.unsafeHead(yield* received).bytes)).toBe("ping")
      const answer = new Promise<string>((resolve) => client.once("data", (data) => resolve(data.toString())))
      yield* claimed.write(new TextEncoder().encode("pong"))
      expect(yield* Effect.promise(() => answer)).toBe("pong")
      client.destroy()
    }).pipe(Effect.scoped))

  it.live("removes the socket when the stream closes, after a connection was claimed and ended", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "knot-agent-"))
      const sockets = makeAgentSockets()
      const scope = yield* Scope.make()
      const listening = yield* Scope.extend(sockets.listen("c1", dir, dir), scope)
      const lines = yield* Scope.extend(Stream.toPull(listening.output), scope)
      const [, id, path] = lineOf(Chunk.unsafeHead(yield* lines).bytes).split(" ")
      const client = connect(path!)
      yield* lines
      yield* Effect.scoped(Effect.gen(function*() {
        const claimed = yield* sockets.claim("c1", id!, 1)
        client.end("bye")
        yield* Stream.runDrain(claimed.output)
      }))
      yield* Scope.close(scope, Exit.void).pipe(Effect.timeout("2 seconds"))
      expect(readdirSync(dir)).toEqual([])
    }))
})
