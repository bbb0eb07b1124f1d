/**
 * A cluster node's answer to "may this node link as that leaf?", from its `leaf` records, and
 * the revocations its transport closes links on: each arrives as a change of a leaf record or
 * a revocation record (storage/kinds/leafRevocation.ts), written here or received by gossip
 * from the node where an admin revoked it.
 */
import { Effect, Either, Option, Schema, Stream } from "effect"
import { Leaf, leafKind } from "../../storage/kinds/leaf.ts"
import { LeafRevocation, leafRevocationKind } from "../../storage/kinds/leafRevocation.ts"
import { Store } from "../../storage/store.ts"
import { Leaves } from "../../effects/http/auth/leaves.ts"
import type { LeafGate } from "../../transport/hyperswarm/leafGate.ts"

const isLeaf = Schema.is(Leaf)
const isRevocation = Schema.is(LeafRevocation)

export const makeLeafGate: Effect.Effect<LeafGate, never, Leaves | Store> = Effect.gen(function* () {
  const leaves = yield* Leaves
  const store = yield* Store
  return {
    admission: (name, node) =>
      leaves.grant(name, node).pipe(
        Effect.map(Either.map((grant) => ({
          verifier: grant.verifier,
          admitted: grant.bind.pipe(
            Effect.catchAll((error) => Effect.logWarning(`could not record leaf ${name}'s node ${node}: ${error.message}`))
          )
        }))),
        Effect.catchAll((error) =>
          Effect.as(
            Effect.logWarning(`cannot read leaf ${name}'s record: ${error.message}`),
            Either.left("this node cannot check leaf credentials right now; try again")
          ))
      ),
    revoked: store.changes.pipe(
      Stream.filterMap(({ record }) =>
        record.kind === leafKind && (record.deleted || (isLeaf(record.value) && record.value.revokedAt !== undefined))
          ? Option.some(record.id)
          : record.kind === leafRevocationKind && !record.deleted && isRevocation(record.value)
          ? Option.some(record.value.leaf)
          : Option.none())
    )
  }
})
