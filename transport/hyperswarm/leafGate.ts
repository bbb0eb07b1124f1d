/**
 * What a cluster node's transport asks before it links a leaf, and how it learns that a leaf
 * may no longer link. The answers come from the node's `leaf` records (effects/http/auth/leaves.ts);
 * the transport knows nothing of records, only of names, verifiers and node ids.
 */
import type { Effect, Either, Stream } from "effect"

export interface LeafAdmission {
  /** The key the leaf's hello MAC must be made with. */
  readonly verifier: Uint8Array
  /** Run once the hello is verified, before the link is admitted. */
  readonly admitted: Effect.Effect<void>
}

export interface LeafGate {
  /** How to verify node `nodeId`'s hello as leaf `name`, or why it may not link. */
  readonly admission: (name: string, nodeId: string) => Effect.Effect<Either.Either<LeafAdmission, string>>
  /** The name of each leaf revoked from now on: its links close at once. */
  readonly revoked: Stream.Stream<string>
}

/** How a leaf proves itself to its origin: its name and the verifier of its credential. */
export interface LeafIdentity {
  readonly name: string
  readonly verifier: Uint8Array
}
