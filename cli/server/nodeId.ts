import { randomBytes } from "node:crypto"
import { FileSystem, Path } from "@effect/platform"
import { Data, Effect } from "effect"

export class NodeIdUnreadable extends Data.TaggedError("NodeIdUnreadable")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `cannot read or create this node's id at ${this.path}: ${this.reason}`
  }
}

export class NodeIdNotOfKey extends Data.TaggedError("NodeIdNotOfKey")<{
  readonly dataDir: string
  readonly stored: string
  readonly ofKey: string
}> {
  override get message() {
    return `the data directory ${this.dataDir} belongs to node ${this.stored}, made before a node's id was ` +
      `derived from its key (this key's id is ${this.ofKey}); peers now refuse an id that is not its key's. ` +
      "Stop this node, move the data directory aside and start it again with an empty one: a cluster node gets " +
      "the cluster's data back from its peers, a leaf from its origin (re-create the spaces that ran on it)"
  }
}

const valid = /^n-[0-9a-f]{12}$/

/**
 * A node's id is made once, at its first start, and kept in its data directory: every version
 * it stamps carries it, so it must outlive restarts. `ofKey`: on a node with a network key, the
 * id that key fixes (transport/hyperswarm/nodeIdentity.ts), which a stored id must equal.
 */
export const loadOrCreateNodeId = (
  dataDir: string,
  ofKey?: string
): Effect.Effect<string, NodeIdUnreadable | NodeIdNotOfKey, FileSystem.FileSystem | Path.Path> =>
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
      if (ofKey !== undefined && id !== ofKey) return yield* new NodeIdNotOfKey({ dataDir, stored: id, ofKey })
      return id
    }
    const id = ofKey ?? `n-${randomBytes(6).toString("hex")}`
    const temporary = `${file}.tmp`
    yield* fs.writeFileString(temporary, `${id}\n`).pipe(Effect.mapError(fail))
    yield* fs.rename(temporary, file).pipe(Effect.mapError(fail))
    return id
  })
