import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { prepareDataDir } from "../../cli/server/dataDir.ts"

layer(NodeContext.layer)("a node's data directory", (it) => {
  it.scoped("is made readable by its owner only", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dir = path.join(yield* fs.makeTempDirectoryScoped(), "knot-data")
      yield* prepareDataDir(dir)
      expect((yield* fs.stat(dir)).mode & 0o777).toBe(0o700)
    }))

  it.scoped("that existed readable by others is narrowed to its owner", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.chmod(dir, 0o755)
      yield* prepareDataDir(dir)
      expect((yield* fs.stat(dir)).mode & 0o777).toBe(0o700)
    }))
})
