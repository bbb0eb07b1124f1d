/**
 * The shape of a token's secret: `knot_<id>_<random>`. The id is in clear so that a request
 * finds its token record by key, without comparing against every stored hash; the random
 * part is what grants access. Only the SHA-256 of the whole secret is stored.
 */
import { createHash, timingSafeEqual } from "node:crypto"

const generated = /^knot_([0-9a-f]{16})_[0-9a-f]{64}$/

export const tokenIdBytes = 8
export const tokenRandomBytes = 32

/** An operator-chosen secret (KNOT_ADMIN_TOKEN) shorter than this is refused: it would be guessable. */
export const minimumSecretLength = 20

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")

export const formatSecret = (id: Uint8Array, random: Uint8Array): { readonly id: string; readonly secret: string } => {
  const tokenId = hex(id)
  return { id: tokenId, secret: `knot_${tokenId}_${hex(random)}` }
}

export const hashSecret = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("hex")

/**
 * The record id a secret is stored under: the one it carries, or for a secret of another
 * shape (chosen by an operator), derived from its hash, so that either is found in one read.
 */
export const tokenIdOf = (secret: string): string => generated.exec(secret)?.[1] ?? hashSecret(`id:${secret}`).slice(0, 16)

/** Compares two SHA-256 hex digests in time independent of where they differ. */
export const sameHash = (a: string, b: string): boolean => {
  const left = Buffer.from(a, "hex")
  const right = Buffer.from(b, "hex")
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right)
}

/**
 * The account of an admin bootstrapped from an operator's secret: derived from it, like the
 * token's id, so the nodes of a cluster that each bootstrap from KNOT_ADMIN_TOKEN write one
 * account. Were each to mint its own, last-writer-wins could keep one node's user record and
 * another's token record, and the token would name an account its user no longer has.
 */
export const bootstrapAccountOf = (secret: string): string => hashSecret(`account:${secret}`).slice(0, 14)
