/**
 * A public key as people paste it (an `authorized_keys` line, a `.pub` file), read into what
 * knot keeps and compares: its type, its wire blob, and the two names a key goes by, the
 * OpenSSH fingerprint people recognise (`ssh-keygen -l`) and the hex digest records are keyed by.
 */
import { createHash } from "node:crypto"
import { Either } from "effect"
import ssh2 from "ssh2"

export interface PublicKeyText {
  readonly type: string
  /** The key in SSH wire form: what a client offers when it signs in. */
  readonly blob: Buffer
  /** `TYPE BASE64`, without the comment. */
  readonly line: string
  readonly comment: string
  /** `SHA256:` and the unpadded base64 of the blob's digest, as OpenSSH prints it. */
  readonly fingerprint: string
  /** The blob's SHA-256 as 64 lowercase hex digits: the id of its `ssh-key` record. */
  readonly id: string
}

const acceptedTypes = new Set(["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"])

export const fingerprintOf = (blob: Uint8Array): string =>
  `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`

export const keyIdOf = (blob: Uint8Array): string => createHash("sha256").update(blob).digest("hex")

/** Reads one public key; the reason says what to give instead. */
export const parsePublicKey = (text: string): Either.Either<PublicKeyText, string> => {
  const trimmed = text.trim()
  if (trimmed === "") return Either.left("the public key is empty; give the contents of a .pub file (e.g. ~/.ssh/id_ed25519.pub)")
  if (trimmed.includes("PRIVATE KEY")) {
    return Either.left("that is a private key; give its public half (the .pub file beside it), and keep the private key to yourself")
  }
  const parsed = ssh2.utils.parseKey(trimmed.split(/\r?\n/).filter((line) => line.trim() !== "").length === 1 ? trimmed : "")
  if (parsed instanceof Error || Array.isArray(parsed)) {
    return Either.left("not one OpenSSH public key; give a single line such as `ssh-ed25519 AAAA... you@laptop`")
  }
  if (parsed.isPrivateKey()) return Either.left("that is a private key; give its public half (the .pub file)")
  if (!acceptedTypes.has(parsed.type)) {
    return Either.left(`keys of type ${parsed.type} are not accepted; use ssh-ed25519 (ssh-keygen -t ed25519), ssh-rsa or ecdsa`)
  }
  const blob = parsed.getPublicSSH()
  return Either.right({
    type: parsed.type,
    blob,
    line: `${parsed.type} ${blob.toString("base64")}`,
    comment: parsed.comment,
    fingerprint: fingerprintOf(blob),
    id: keyIdOf(blob)
  })
}
