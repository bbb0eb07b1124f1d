import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { KEY_PAIR_FILE, loadOrCreateKeyPair } from "../../transport/hyperswarm/keyPair.ts"

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "knot-keypair-" }))

layer(NodeContext.layer)("loadOrCreateKeyPair", (it) => {
  describe("on a node's first start", () => {
    it.scoped("creates the key pair file readable by its owner only", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const dataDir = path.join(yield* tempDir, "fresh")
        const keyPair = yield* loadOrCreateKeyPair(dataDir)
        const info = yield* fs.stat(path.join(dataDir, KEY_PAIR_FILE))
        expect(info.mode & 0o777).toBe(0o600)
        expect(keyPair.publicKey.byteLength).toBe(32)
        expect(yield* fs.exists(path.join(dataDir, `${KEY_PAIR_FILE}.partial`))).toBe(false)
      })
    )
  })

  describe("on later starts", () => {
    it.scoped("loads the same key pair again", () =>
      Effect.gen(function* () {
        const dataDir = yield* tempDir
        const first = yield* loadOrCreateKeyPair(dataDir)
        const second = yield* loadOrCreateKeyPair(dataDir)
        expect(second.publicKey.equals(first.publicKey)).toBe(true)
        expect(second.secretKey.equals(first.secretKey)).toBe(true)
      })
    )

    it.scoped("restricts a key pair file that others could read to mode 0600", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const dataDir = yield* tempDir
        const first = yield* loadOrCreateKeyPair(dataDir)
        const file = path.join(dataDir, KEY_PAIR_FILE)
        yield* fs.chmod(file, 0o644)
        const again = yield* loadOrCreateKeyPair(dataDir)
        expect(again.publicKey.equals(first.publicKey)).toBe(true)
        expect((yield* fs.stat(file)).mode & 0o777).toBe(0o600)
      })
    )

    it.scoped("refuses a file that is not a key pair, naming its path", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const dataDir = yield* tempDir
        const file = path.join(dataDir, KEY_PAIR_FILE)
        yield* fs.writeFileString(file, "not json", { mode: 0o600 })
        const error = yield* loadOrCreateKeyPair(dataDir).pipe(Effect.flip)
        expect(error._tag).toBe("KeyPairFileError")
        expect(error.message).toContain(`node key pair ${file}: is not a knot key pair`)
        expect(error.message).not.toContain("\n")
      })
    )

    it.scoped("refuses a file whose secret key does not match its public key", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const dataDir = yield* tempDir
        yield* loadOrCreateKeyPair(dataDir)
        const file = path.join(dataDir, KEY_PAIR_FILE)
        const stored = JSON.parse(yield* fs.readFileString(file)) as { publicKey: string }
        yield* fs.writeFileString(file, JSON.stringify({ ...stored, publicKey: "00".repeat(32) }))
        const error = yield* loadOrCreateKeyPair(dataDir).pipe(Effect.flip)
        expect(error.message).toContain("does not match its public key")
      })
    )
  })
})
