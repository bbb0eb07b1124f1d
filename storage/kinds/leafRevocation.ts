/**
 * That a leaf's credential is revoked, keyed by the credential's verifier. A record of its own
 * because a `leaf` record is one last-writer-wins value: a node recording the credential's
 * first use, from a read made before a revocation it had not heard of yet, writes the leaf
 * record again without it, and the later write would win everywhere. Nothing writes this
 * record again, and a new credential (the leaf added again) has another verifier.
 */
import { Schema } from "effect"
import { EpochMillis } from "./fields.ts"
import { LeafName } from "./leaf.ts"

export const leafRevocationKind = "leaf-revocation"

export const LeafRevocation = Schema.Struct({
  leaf: LeafName,
  revokedAt: EpochMillis("revokedAt")
})
export type LeafRevocation = typeof LeafRevocation.Type
