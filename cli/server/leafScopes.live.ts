/**
 * Which peers of a cluster node are leaves, and what each may do: a link the transport
 * admitted by a leaf credential carries the leaf's name, and the leaf record of that name
 * gives its users and zone. Anti-entropy asks for every frame, so a revocation or a change of
 * a leaf's users applies from the next frame on.
 */
import { Effect } from "effect"
import { Leaves } from "../../effects/http/auth/leaves.ts"
import type { LeafScope } from "../../transport/gossip/leafAuthority.ts"
import type { HyperswarmInfoShape } from "../../transport/hyperswarm/hyperswarmInfo.ts"

export const makeLeafScopes = (
  info: HyperswarmInfoShape
): Effect.Effect<(peer: string) => Effect.Effect<LeafScope | undefined>, never, Leaves> =>
  Effect.map(Leaves, (leaves) => (peer) =>
    Effect.gen(function* () {
      const link = (yield* info.links).find((candidate) => candidate.peer === peer)
      if (link?.leaf === undefined) return undefined
      const name = link.leaf
      // A leaf whose record cannot be read now may originate nothing but its node record.
      const leaf = yield* Effect.option(leaves.get(name))
      return leaf._tag === "Some"
        ? { name, node: peer, users: new Set(leaf.value.users), zone: leaf.value.zone }
        : { name, node: peer, users: new Set<string>(), zone: undefined, unread: true }
    }))
