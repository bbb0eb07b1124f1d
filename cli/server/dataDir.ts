/**
 * A node's data directory is its own: templates' environment values, token hashes and its
 * Noise secret key live there. It is made (or narrowed to) 0700; `ownerOnlyFiles` makes the
 * files the node writes from then on 0600, whatever umask the process was started with.
 */
import { FileSystem } from "@effect/platform"
import { Data, Effect } from "effect"
import type { Scope } from "effect"

export class DataDirUnusable extends Data.TaggedError("DataDirUnusable")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `cannot use the data directory ${this.path}: ${this.reason}`
  }
}

export class DataDirOfAnotherMode extends Data.TaggedError("DataDirOfAnotherMode")<{
  readonly path: string
  readonly made: string
  readonly asked: string
}> {
  override get message() {
    return `the data directory ${this.path} belongs to a ${this.made} node; starting it as a ${this.asked} node would ` +
      `mix their data. Use another data_dir, or start with --force to make it a ${this.asked} node's`
  }
}

export class DataDirInUse extends Data.TaggedError("DataDirInUse")<{ readonly path: string; readonly pid: number }> {
  override get message() {
    return `the data directory ${this.path} is in use by process ${this.pid} (another knot server); stop it, or use another data_dir`
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

const modeFile = "mode"
const lockFile = "server.pid"

/** The mode a data directory was made for: it may not silently become another mode's. */
export const claimMode = (
  dataDir: string,
  mode: string,
  force: boolean
): Effect.Effect<void, DataDirUnusable | DataDirOfAnotherMode, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const file = `${dataDir}/${modeFile}`
    const fail = (error: { readonly message: string }) => new DataDirUnusable({ path: dataDir, reason: error.message })
    const made = (yield* fs.exists(file).pipe(Effect.mapError(fail)))
      ? (yield* fs.readFileString(file).pipe(Effect.mapError(fail))).trim()
      : undefined
    if (made !== undefined && made !== mode && !force) return yield* new DataDirOfAnotherMode({ path: dataDir, made, asked: mode })
    if (made !== mode) yield* fs.writeFileString(file, `${mode}\n`).pipe(Effect.mapError(fail))
  })

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * Holds the data directory for this process until the scope closes: a second server on it
 * is told which process has it, rather than failing deep in the database. A lock left by a
 * process that is gone is taken over.
 */
export const lockDataDir = (
  dataDir: string
): Effect.Effect<void, DataDirUnusable | DataDirInUse, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const file = `${dataDir}/${lockFile}`
    const fail = (error: { readonly message: string }) => new DataDirUnusable({ path: dataDir, reason: error.message })
    if (yield* fs.exists(file).pipe(Effect.mapError(fail))) {
      const pid = Number((yield* fs.readFileString(file).pipe(Effect.mapError(fail))).trim())
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        return yield* new DataDirInUse({ path: dataDir, pid })
      }
    }
    yield* Effect.acquireRelease(
      fs.writeFileString(file, `${process.pid}\n`).pipe(Effect.mapError(fail)),
      () => Effect.ignore(fs.remove(file))
    )
  })
