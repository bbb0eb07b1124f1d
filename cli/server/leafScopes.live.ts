/**
 * Which peers of a cluster node are leaves, and what each may do: a link the transport
 * admitted by a leaf credential carries the leaf's name, and the leaf record of that name
 * gives its users and zone. Anti-entropy asks for every frame, so a revocation or a change of
 * a leaf's users applies from the next frame on.
 */
import { Effect, Option } from "effect"
import { Leaves } from "../../effects/http/auth/leaves.ts"
import { leafKind } from "../../storage/kinds/leaf.ts"
import { Store } from "../../storage/store.ts"
import type { LeafScope } from "../../transport/gossip/leafAuthority.ts"
import type { HyperswarmInfoShape } from "../../transport/hyperswarm/hyperswarmInfo.ts"

export const makeLeafScopes = (
  info: HyperswarmInfoShape
): Effect.Effect<(peer: string) => Effect.Effect<LeafScope | undefined>, never, Leaves | Store> =>
  Effect.map(Effect.all([Leaves, Store]), ([leaves, store]) => (peer) =>
    Effect.gen(function* () {
      const link = (yield* info.links).find((candidate) => candidate.peer === peer)
      if (link?.leaf === undefined) return undefined
      const name = link.leaf
      // The version its share is judged by, read or not: the leaf takes watermarks only under it.
      const record = Option.getOrUndefined(yield* Effect.option(store.get(leafKind, name)))
      const version = record === undefined ? {} : { version: record.version }
      // A leaf whose record cannot be read now may originate nothing but its node record.
      const leaf = yield* Effect.option(leaves.get(name))
      return leaf._tag === "Some"
        ? { name, node: peer, users: new Set(leaf.value.users), zone: leaf.value.zone, ...version }
        : { name, node: peer, users: new Set<string>(), zone: undefined, unread: true, ...version }
    }))
