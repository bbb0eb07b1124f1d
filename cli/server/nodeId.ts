import { randomBytes } from "node:crypto"
import { FileSystem, Path } from "@effect/platform"
import { Data, Effect } from "effect"

export class NodeIdUnreadable extends Data.TaggedError("NodeIdUnreadable")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `cannot read or create this node's id at ${this.path}: ${this.reason}`
  }
}

const valid = /^n-[0-9a-f]{12}$/

/**
 * A node's id is made once, at its first start, and kept in its data directory: every version
 * it stamps carries it, so it must outlive restarts and must not depend on the network key.
 */
export const loadOrCreateNodeId = (dataDir: string): Effect.Effect<string, NodeIdUnreadable, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = path.join(dataDir, "node-id")
    const fail = (reason: unknown) =>
      new NodeIdUnreadable({ path: file, reason: reason instanceof Error ? reason.message : String(reason) })
    yield* fs.makeDirectory(dataDir, { recursive: true }).pipe(Effect.mapError(fail))
    if (yield* fs.exists(file).pipe(Effect.mapError(fail))) {
      const id = (yield* fs.readFileString(file).pipe(Effect.mapError(fail))).trim()
      if (!valid.test(id)) return yield* Effect.fail(fail(`it holds ${JSON.stringify(id)}, not a node id`))
      return id
    }
    const id = `n-${randomBytes(6).toString("hex")}`
    const temporary = `${file}.tmp`
    yield* fs.writeFileString(temporary, `${id}\n`).pipe(Effect.mapError(fail))
    yield* fs.rename(temporary, file).pipe(Effect.mapError(fail))
    return id
  })
