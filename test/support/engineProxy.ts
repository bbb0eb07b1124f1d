/**
 * A Unix socket in front of the engine's, for tests and benchmarks that must see or break
 * what knot says to the engine: it counts the API requests that pass (one per request line,
 * keep-alive or not), and can cut the `/events` streams and refuse new ones for a while, as
 * an engine restart or a dropped connection would, while every other call goes through.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { createConnection, createServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { engineSocket } from "./dockerEngine.ts"

export interface EngineProxy {
  readonly socketPath: string
  /** API requests passed on since the proxy started, the `/events` ones included. */
  readonly requests: () => number
  /** Ends every `/events` stream now and refuses new ones until `releaseEvents`. */
  readonly holdEvents: () => void
  readonly releaseEvents: () => void
  /** `/events` streams open now. */
  readonly followers: () => number
  readonly close: () => Promise<void>
}

const requestLine = /(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.[01]\r\n/g

export const startEngineProxy = async (target = engineSocket): Promise<EngineProxy> => {
  const directory = mkdtempSync(join(tmpdir(), "knot-engine-proxy-"))
  const socketPath = join(directory, "engine.sock")
  let requests = 0
  let holding = false
  const followers = new Set<Socket>()
  const open = new Set<Socket>()

  const server = createServer((client) => {
    const engine = createConnection(target)
    open.add(client)
    open.add(engine)
    const closeBoth = () => {
      client.destroy()
      engine.destroy()
      followers.delete(client)
      open.delete(client)
      open.delete(engine)
    }
    client.on("data", (chunk: Buffer) => {
      const text = chunk.toString("latin1")
      for (const match of text.matchAll(requestLine)) {
        requests++
        if (/\/events(\?|$)/.test(match[2]!)) {
          if (holding) return closeBoth()
          followers.add(client)
        }
      }
      engine.write(chunk)
    })
    engine.on("data", (chunk: Buffer) => client.write(chunk))
    client.on("close", closeBoth)
    engine.on("close", closeBoth)
    client.on("error", closeBoth)
    engine.on("error", closeBoth)
  })
  await new Promise<void>((resolve) => server.listen(socketPath, resolve))

  return {
    socketPath,
    requests: () => requests,
    holdEvents: () => {
      holding = true
      for (const follower of followers) follower.destroy()
    },
    releaseEvents: () => {
      holding = false
    },
    followers: () => followers.size,
    close: async () => {
      for (const socket of open) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(directory, { recursive: true, force: true })
    }
  }
}
