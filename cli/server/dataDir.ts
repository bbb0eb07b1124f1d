/**
 * A node's data directory is its own: templates' environment values, token hashes and its
 * Noise secret key live there. It is made (or narrowed to) 0700; `ownerOnlyFiles` makes the
 * files the node writes from then on 0600, whatever umask the process was started with.
 */
import { FileSystem } from "@effect/platform"
import { Data, Effect } from "effect"

export class DataDirUnusable extends Data.TaggedError("DataDirUnusable")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `cannot use the data directory ${this.path}: ${this.reason}`
  }
}

export const ownerOnly = 0o700

export const prepareDataDir = (dataDir: string): Effect.Effect<void, DataDirUnusable, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const fail = (error: { readonly message: string }) => new DataDirUnusable({ path: dataDir, reason: error.message })
    yield* fs.makeDirectory(dataDir, { recursive: true, mode: ownerOnly }).pipe(Effect.mapError(fail))
    yield* fs.chmod(dataDir, ownerOnly).pipe(Effect.mapError(fail))
  })

/** For the node process alone: every file it creates from then on is 0600, every directory 0700. */
export const ownerOnlyFiles: Effect.Effect<void> = Effect.sync(() => void process.umask(0o077))
