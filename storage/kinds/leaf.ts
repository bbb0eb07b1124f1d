/**
 * A leaf an admin has let join the cluster, keyed by its name. The record holds no secret:
 * only the verifier its join credential derives (transport/hyperswarm/leafCredential.ts), so
 * a copy of a cluster node's database lets no one join as the leaf.
 */
import { Schema } from "effect"
import { EpochMillis, sha256Hex, Slug } from "./fields.ts"

export const leafKind = "leaf"

export const LeafName = Slug("a leaf name")

export const Leaf = Schema.Struct({
  /** The zone its spaces run in; templates limited to other zones are not sent to it. */
  zone: Schema.optionalWith(Slug("a zone"), { exact: true }),
  /** The users whose spaces it may run, whose accounts it receives and may act for. */
  users: Schema.Array(Slug("a user name")),
  /** SHA-256 of the credential's secret, as 64 lowercase hex digits; the leaf's hello is keyed by it. */
  verifier: Schema.String.pipe(
    Schema.filter((value) => sha256Hex.test(value) || "the verifier must be 64 lowercase hex digits")
  ),
  createdAt: EpochMillis("createdAt"),
  /**
   * The node the credential was first used by, as versions before `leaf-binding` records
   * (leafBinding.ts) wrote it here: it is good for that node only from then on.
   */
  node: Schema.optionalWith(Schema.String, { exact: true }),
  /** Set when an admin revoked it; its links close and its hellos are refused from then on. */
  revokedAt: Schema.optionalWith(EpochMillis("revokedAt"), { exact: true })
})
export type Leaf = typeof Leaf.Type
