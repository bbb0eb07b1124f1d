import { FileSystem, Path } from "@effect/platform"
import { Effect, Either, ParseResult, Schema } from "effect"
import HyperDHT from "hyperdht"
import { KeyPairFileError } from "./hyperswarm.errors.ts"

export const KEY_PAIR_FILE = "noise-keypair.json"

/** The node's Noise identity: its public key is what peers list in `[cluster] peers`. */
export interface NodeKeyPair {
  readonly publicKey: Buffer
  readonly secretKey: Buffer
}

const KeyPairFile = Schema.parseJson(
  Schema.Struct({
    v: Schema.Literal(1),
    publicKey: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
    secretKey: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{128}$/))
  })
)

const OWNER_ONLY = 0o600
const GROUP_OR_OTHER_BITS = 0o077

/**
 * Loads the key pair from `dataDir`, or creates it (owner-only) on a node's first start, so the
 * node keeps its public key across restarts and its peers' `[cluster] peers` lists stay valid.
 */
export const loadOrCreateKeyPair = (
  dataDir: string
): Effect.Effect<NodeKeyPair, KeyPairFileError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = path.join(dataDir, KEY_PAIR_FILE)
    const fail = (reason: string) => new KeyPairFileError({ path: file, reason })

    const exists = yield* fs.exists(file).pipe(Effect.mapError((e) => fail(`cannot be checked: ${e.message}`)))
    if (!exists) return yield* createKeyPair(fs, dataDir, file, fail)

    const info = yield* fs.stat(file).pipe(Effect.mapError((e) => fail(`cannot be read: ${e.message}`)))
    if ((info.mode & GROUP_OR_OTHER_BITS) !== 0) {
      yield* fs.chmod(file, OWNER_ONLY).pipe(Effect.mapError((e) => fail(`is readable by others and cannot be restricted: ${e.message}`)))
      yield* Effect.logWarning(`node key pair ${file} was readable by other users; restricted it to mode 0600`)
    }
    const text = yield* fs.readFileString(file).pipe(Effect.mapError((e) => fail(`cannot be read: ${e.message}`)))
    return yield* Either.match(Schema.decodeUnknownEither(KeyPairFile)(text), {
      onLeft: (error) =>
        Effect.fail(
          fail(
            `is not a knot key pair (${ParseResult.TreeFormatter.formatErrorSync(error).split("\n").join(" ")}); ` +
              "restore it from a backup, or delete it to give this node a new public key"
          )
        ),
      onRight: (decoded) => {
        const keyPair = { publicKey: Buffer.from(decoded.publicKey, "hex"), secretKey: Buffer.from(decoded.secretKey, "hex") }
        // An Ed25519 secret key ends with its public key; a mismatch means the file was edited.
        return keyPair.secretKey.subarray(32).equals(keyPair.publicKey)
          ? Effect.succeed(keyPair)
          : Effect.fail(fail("holds a secret key that does not match its public key; restore it from a backup, or delete it"))
      }
    })
  })

const createKeyPair = (
  fs: FileSystem.FileSystem,
  dataDir: string,
  file: string,
  fail: (reason: string) => KeyPairFileError
): Effect.Effect<NodeKeyPair, KeyPairFileError> =>
  Effect.gen(function* () {
    // Noise keys come from libsodium's CSPRNG, never from Effect's Random: a seeded generator
    // would hand every simulated or restarted node a guessable identity.
    const keyPair = yield* Effect.sync(() => HyperDHT.keyPair())
    const text = Schema.encodeSync(KeyPairFile)({
      v: 1,
      publicKey: keyPair.publicKey.toString("hex"),
      secretKey: keyPair.secretKey.toString("hex")
    })
    const partial = `${file}.partial`
    yield* fs.makeDirectory(dataDir, { recursive: true, mode: 0o700 }).pipe(
      // A crash mid-write must not leave a truncated key pair behind: write aside, then rename.
      Effect.zipRight(fs.writeFileString(partial, text + "\n", { mode: OWNER_ONLY })),
      Effect.zipRight(fs.rename(partial, file)),
      Effect.mapError((e) => fail(`cannot be created: ${e.message}`))
    )
    yield* Effect.logInfo(`created node key pair ${file}; public key ${keyPair.publicKey.toString("hex")}`)
    return { publicKey: keyPair.publicKey, secretKey: keyPair.secretKey }
  })
