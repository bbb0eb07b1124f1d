/**
 * `knot admin backup FILE` asks a running node for a consistent snapshot of its store and
 * writes it (0600: it holds token hashes and the node's secret key); `knot admin restore FILE
 * --data-dir DIR` makes a data directory from one, on this machine, with no node running.
 * A restored cluster node keeps its id and catches up by gossip from its peers.
 */
import { Args, Command, Options } from "@effect/cli"
import { FileSystem, Path } from "@effect/platform"
import { Console, Effect, Either } from "effect"
import { decodeBackup } from "../../storage/backupFile.ts"
import { NodeId } from "../../storage/record.ts"
import { CliFailure } from "./cliFailure.ts"
import { connectionOptions } from "./connection.ts"
import { openSession } from "./session.ts"

const fileArg = Args.path({ name: "file" })

const failWith = (message: string) => (error: { readonly message: string }) => new CliFailure({ message: `${message}: ${error.message}` })

const backup = Command.make(
  "backup",
  { ...connectionOptions, file: fileArg.pipe(Args.withDescription("where to write the backup")) },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const text = yield* session.call(session.client.admin.backup())
      const fs = yield* FileSystem.FileSystem
      const partial = `${input.file}.partial`
      const write = failWith(`cannot write ${input.file}`)
      yield* fs.writeFileString(partial, text, { mode: 0o600 }).pipe(Effect.mapError(write))
      yield* fs.rename(partial, input.file).pipe(Effect.mapError(write))
      const backup = Either.getOrThrow(decodeBackup(text))
      yield* Console.log(`backup of node ${backup.header.node}: ${backup.entries.length} entries written to ${input.file}`)
    })
).pipe(Command.withDescription("write a consistent snapshot of a running node's store to FILE (admins)"))

const restore = Command.make(
  "restore",
  {
    file: fileArg.pipe(Args.withDescription("a file `knot admin backup` wrote")),
    dataDir: Options.directory("data-dir").pipe(Options.withDescription("the data directory to make: new, or empty"))
  },
  (input) =>
    Effect.gen(function*() {
      // Loaded here alone: no other client command opens a database or reads a key pair.
      const [{ RocksStore }, { KEY_PAIR_FILE }] = yield* Effect.promise(() =>
        Promise.all([import("../../storage/rocksStore.ts"), import("../../transport/hyperswarm/keyPair.ts")])
      )
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const text = yield* fs.readFileString(input.file).pipe(Effect.mapError(failWith(`cannot read ${input.file}`)))
      const backup = yield* Either.mapLeft(decodeBackup(text), (reason) => new CliFailure({ message: `${input.file}: ${reason}` }))
      const inUse = yield* fs.readDirectory(input.dataDir).pipe(Effect.map((names) => names.length > 0), Effect.orElseSucceed(() => false))
      if (inUse) {
        return yield* new CliFailure({ message: `${input.dataDir} is not empty; restore into a new directory` })
      }
      const write = failWith(`cannot write into ${input.dataDir}`)
      yield* fs.makeDirectory(input.dataDir, { recursive: true, mode: 0o700 }).pipe(Effect.mapError(write))
      yield* fs.writeFileString(path.join(input.dataDir, "node-id"), `${backup.header.node}\n`, { mode: 0o600 }).pipe(Effect.mapError(write))
      if (backup.header.keyPair !== undefined) {
        const keyPair = JSON.stringify({ v: 1, ...backup.header.keyPair })
        yield* fs.writeFileString(path.join(input.dataDir, KEY_PAIR_FILE), keyPair, { mode: 0o600 }).pipe(Effect.mapError(write))
      }
      yield* RocksStore.restoreEntries(path.join(input.dataDir, "db"), backup.entries).pipe(Effect.mapError(write))
      yield* Console.log(
        `restored node ${NodeId.make(backup.header.node)} (${backup.entries.length} entries) into ${input.dataDir}; ` +
          "point [server] data_dir at it and start the node: it catches up from its peers"
      )
    })
).pipe(Command.withDescription("make a data directory from a backup, on this machine, with no node running on it"))

export const adminCommand = Command.make("admin").pipe(
  Command.withDescription("back up a node and restore one from a backup"),
  Command.withSubcommands([backup, restore])
)
