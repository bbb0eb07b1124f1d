import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { versionOrder } from "../../storage/record.ts"
import { RocksStore } from "../../storage/rocksStore.ts"
import { rocksDirectories } from "./rocksDirectories.ts"
import { nodeId, version } from "./storeFixtures.ts"

const directories = rocksDirectories("rocks-durability")
const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), "durabilityWriter.ts")

interface Acknowledged {
  readonly id: string
  readonly wall: number
  readonly counter: number
}

/**
 * Runs the writer on `directory` and kills it with SIGKILL once it has acknowledged
 * `killAfter` writes, plus up to `extraMs` more. Returns every write it acknowledged.
 */
const writeThenKill = (directory: string, killAfter: number, extraMs: number) =>
  new Promise<ReadonlyArray<Acknowledged>>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", writer, directory], { stdio: ["ignore", "pipe", "pipe"] })
    const acknowledged: Array<Acknowledged> = []
    let pending = ""
    let errors = ""
    let killing = false
    child.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString()
    })
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString()
      const lines = pending.split("\n")
      pending = lines.pop() ?? ""
      for (const line of lines) {
        const [word, id, wall, counter] = line.split(" ")
        if (word === "ack" && id !== undefined) acknowledged.push({ id, wall: Number(wall), counter: Number(counter) })
      }
      if (!killing && acknowledged.length >= killAfter) {
        killing = true
        setTimeout(() => child.kill("SIGKILL"), extraMs)
      }
    })
    child.on("exit", (_code, signal) => {
      if (signal === "SIGKILL") resolve(acknowledged)
      else reject(new Error(`the writer exited by itself (code ${_code}): ${errors}`))
    })
  })

describe("RocksStore durability", () => {
  it.live("after a SIGKILL at a random moment, every acknowledged write is there and the store opens cleanly", () =>
    Effect.gen(function*() {
      const directory = directories.fresh()
      const killAfter = 20 + Math.floor(Math.random() * 300)
      const extraMs = Math.floor(Math.random() * 10)
      const acknowledged = yield* Effect.promise(() => writeThenKill(directory, killAfter, extraMs))
      const found = yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* RocksStore.make({ directory, nodeId: nodeId("writer"), maxDriftMs: 60_000 })
        return {
          records: yield* Effect.forEach(acknowledged, (write) => store.get("space", write.id)),
          digest: yield* store.digest
        }
      }))
      const context = `killed after ${killAfter} acknowledgements + ${extraMs} ms`
      expect(acknowledged.length, context).toBeGreaterThanOrEqual(killAfter)
      const missing = acknowledged.filter((_, i) => found.records[i] === undefined).map((write) => write.id)
      expect(missing, context).toEqual([])
      const last = acknowledged[acknowledged.length - 1]!
      const watermark = found.digest.writer
      expect(watermark !== undefined && versionOrder(watermark, version(last.wall, "writer", last.counter)) >= 0, context)
        .toBe(true)
    }))
})
