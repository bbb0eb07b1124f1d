import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { claimMode, lockDataDir, prepareDataDir } from "../../cli/server/dataDir.ts"

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

layer(NodeContext.layer)("a data directory's mode and lock", (it) => {
  it.scoped("a directory made by a standalone node refuses to start as a leaf, unless forced", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* claimMode(dir, "standalone", false)
      const refused = yield* Effect.flip(claimMode(dir, "leaf", false))
      expect(refused.message).toContain("belongs to a standalone node")
      expect(refused.message).toContain("--force")
      yield* claimMode(dir, "leaf", true)
      yield* claimMode(dir, "leaf", false)
    }))

  it.scoped("a directory another live process holds says which process", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      // PID 1 is alive on every Linux machine, and is not this process.
      yield* fs.writeFileString(`${dir}/server.pid`, "1\n")
      const refused = yield* Effect.flip(lockDataDir(dir))
      expect(refused.message).toBe(`the data directory ${dir} is in use by process 1 (another knot server); stop it, or use another data_dir`)
    }))

  it.scoped("a lock left by a process that is gone is taken over, and let go when the node stops", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/server.pid`, "999999999\n")
      yield* Effect.scoped(Effect.gen(function* () {
        yield* lockDataDir(dir)
        expect((yield* fs.readFileString(`${dir}/server.pid`)).trim()).toBe(String(process.pid))
      }))
      expect(yield* fs.exists(`${dir}/server.pid`)).toBe(false)
    }))
})
