import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { loadOrCreateNodeId } from "../../cli/server/nodeId.ts"

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "knot-node-id-" }))

layer(NodeContext.layer)("a node's id", (it) => {
  it.scoped("on a node with a network key, is the id that key fixes, kept across starts", () =>
    Effect.gen(function* () {
      const dataDir = yield* tempDir
      expect(yield* loadOrCreateNodeId(dataDir, "n-0123456789ab")).toBe("n-0123456789ab")
      expect(yield* loadOrCreateNodeId(dataDir, "n-0123456789ab")).toBe("n-0123456789ab")
    }))

  it.scoped("on a standalone node, is made at random once and kept", () =>
    Effect.gen(function* () {
      const dataDir = yield* tempDir
      const first = yield* loadOrCreateNodeId(dataDir)
      expect(first).toMatch(/^n-[0-9a-f]{12}$/)
      expect(yield* loadOrCreateNodeId(dataDir)).toBe(first)
    }))

  it.scoped("refuses a data directory made under an id its key does not fix, saying what to do", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dataDir = yield* tempDir
      yield* fs.writeFileString(path.join(dataDir, "node-id"), "n-aaaaaaaaaaaa\n")
      const error = yield* Effect.flip(loadOrCreateNodeId(dataDir, "n-0123456789ab"))
      expect(error._tag).toBe("NodeIdNotOfKey")
      expect(error.message).toContain("n-aaaaaaaaaaaa")
      expect(error.message).toContain("move the data directory aside")
    }))
})
