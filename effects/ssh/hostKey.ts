/**
 * The gateway's host key: ed25519, kept in the data directory (0600) as an OpenSSH private key.
 *
 * Cluster nodes all present one host key, derived from the cluster key with HKDF-SHA256 (its
 * own salt and label, so it reveals nothing of the cluster key and is good for nothing else):
 * every node that holds the cluster key makes the same key, nothing new is distributed, and a
 * user's `known_hosts` entry for one node is good for every node. Standalone nodes and leaves
 * (which never hold the cluster key) make a random one on their first start and keep it.
 */
import { createPrivateKey, createPublicKey, hkdfSync, randomBytes } from "node:crypto"
import { FileSystem, Path } from "@effect/platform"
import { Effect } from "effect"
import ssh2 from "ssh2"
import { HostKeyUnusable } from "./sshGateway.errors.ts"
import { fingerprintOf } from "./publicKeyText.ts"

export const HOST_KEY_FILE = "ssh_host_ed25519_key"

export interface HostKey {
  /** The private key in OpenSSH's format, as ssh2 and `ssh-keygen` read it. */
  readonly privateKey: string
  /** `ssh-ed25519 BASE64`: a known_hosts entry's key. */
  readonly publicLine: string
  readonly fingerprint: string
  /** Where it came from, for the line the node prints. */
  readonly origin: "cluster key" | "data directory" | "new"
}

const sshString = (bytes: Uint8Array): Buffer => {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(bytes.length)
  return Buffer.concat([length, bytes])
}

/** PKCS#8 wrapping of a raw ed25519 seed (RFC 8410), so node:crypto can compute its public half. */
const pkcs8Prefix = Buffer.from("302e020100300506032b657004220420", "hex")

const publicKeyOfSeed = (seed: Uint8Array): Buffer => {
  const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: "der", type: "pkcs8" })
  const jwk = createPublicKey(privateKey).export({ format: "jwk" })
  return Buffer.from(jwk.x ?? "", "base64url")
}

/** The ed25519 key of a 32-byte seed, written as `ssh-keygen` writes an unencrypted key. */
export const hostKeyOfSeed = (seed: Uint8Array, origin: HostKey["origin"]): HostKey => {
  const publicKey = publicKeyOfSeed(seed)
  const type = Buffer.from("ssh-ed25519")
  const publicBlob = Buffer.concat([sshString(type), sshString(publicKey)])
  // The check integers only detect a wrong passphrase; derived from the seed, the file is the same on every write.
  const check = seed.subarray(0, 4)
  const body = Buffer.concat([
    check,
    check,
    sshString(type),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(Buffer.from("knot"))
  ])
  const padding = Buffer.from(Array.from({ length: (8 - (body.length % 8)) % 8 }, (_, i) => i + 1))
  const file = Buffer.concat([
    Buffer.from("openssh-key-v1\0"),
    sshString(Buffer.from("none")),
    sshString(Buffer.from("none")),
    sshString(Buffer.alloc(0)),
    Buffer.from([0, 0, 0, 1]),
    sshString(publicBlob),
    sshString(Buffer.concat([body, padding]))
  ])
  const base64 = file.toString("base64").replace(/.{70}/g, "$&\n").replace(/\n$/, "")
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${base64}\n-----END OPENSSH PRIVATE KEY-----\n`,
    publicLine: `ssh-ed25519 ${publicBlob.toString("base64")}`,
    fingerprint: fingerprintOf(publicBlob),
    origin
  }
}

/** The seed every node holding `clusterKey` (64 hex digits) derives alike. */
export const clusterHostKeySeed = (clusterKey: string): Buffer =>
  Buffer.from(hkdfSync("sha256", Buffer.from(clusterKey, "hex"), "knot ssh host key", "ed25519 v1", 32))

const readHostKey = (text: string): HostKey | undefined => {
  const parsed = ssh2.utils.parseKey(text)
  if (parsed instanceof Error || Array.isArray(parsed) || parsed.type !== "ssh-ed25519" || !parsed.isPrivateKey()) return undefined
  const blob = parsed.getPublicSSH()
  return { privateKey: text, publicLine: `ssh-ed25519 ${blob.toString("base64")}`, fingerprint: fingerprintOf(blob), origin: "data directory" }
}

/**
 * The node's host key: a cluster node's derived from `clusterKey` (written to the data
 * directory too, replacing a stale one), any other node's read from its data directory or made there.
 */
export const loadOrCreateHostKey = (dataDir: string, clusterKey: string | undefined) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = (yield* Path.Path).join(dataDir, HOST_KEY_FILE)
    const unusable = (reason: string) => new HostKeyUnusable({ path, reason })
    const write = (key: HostKey) =>
      fs.writeFileString(path, key.privateKey, { mode: 0o600 }).pipe(
        Effect.zipRight(fs.chmod(path, 0o600)),
        Effect.mapError((error) => unusable(error.message)),
        Effect.as(key)
      )
    const existing = (yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false)))
      ? yield* fs.readFileString(path).pipe(Effect.mapError((error) => unusable(error.message)))
      : undefined
    if (clusterKey !== undefined) {
      const derived = hostKeyOfSeed(clusterHostKeySeed(clusterKey), "cluster key")
      return existing === derived.privateKey ? derived : yield* write(derived)
    }
    if (existing !== undefined) {
      const read = readHostKey(existing)
      if (read === undefined) return yield* unusable("it is not an unencrypted ed25519 private key; move it away and restart to make a new one")
      return read
    }
    return yield* write(hostKeyOfSeed(randomBytes(32), "new"))
  })
