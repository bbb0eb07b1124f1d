/**
 * A leaf's join credential: `knot-leaf:<name>:<secret>`, printed once by `knot leaf add` and
 * kept in the leaf's `[leaf] credential`. The cluster keeps only its verifier (SHA-256 of the
 * secret); the leaf's hello carries an HMAC under the verifier, bound to the Noise session as
 * the cluster hello is, so neither the secret nor the verifier ever crosses the wire.
 */
import { createHash } from "node:crypto"
import { Either } from "effect"

const prefix = "knot-leaf"
export const LEAF_SECRET_BYTES = 32
/** The whole credential: `knot-leaf:`, a leaf name (a slug), `:`, the secret. */
export const leafCredentialPattern = /^knot-leaf:([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?):([0-9a-f]{64})$/

export interface LeafCredential {
  readonly name: string
  /** The secret as 64 lowercase hex digits. */
  readonly secret: string
}

export const formatLeafCredential = (name: string, secret: Uint8Array): string =>
  `${prefix}:${name}:${Buffer.from(secret).toString("hex")}`

export const parseLeafCredential = (text: string): Either.Either<LeafCredential, string> => {
  const match = leafCredentialPattern.exec(text.trim())
  return match === null
    ? Either.left(
      "a leaf credential looks like knot-leaf:NAME:<64 hex digits>; copy it as `knot leaf add` printed it on the cluster"
    )
    : Either.right({ name: match[1]!, secret: match[2]! })
}

/** What the cluster stores for a credential, as 64 lowercase hex digits. */
export const leafVerifier = (secret: string): string => createHash("sha256").update(`knot/1 leaf ${secret}`).digest("hex")
