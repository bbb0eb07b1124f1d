/**
 * A cluster node lists the leaves linked to it, and their link state, in its own node record.
 * A leaf gossips with its origin alone, so the other cluster nodes learn of it from that record
 * (clusterView.gossip.ts reads it), and `knot cluster status` on any node shows every leaf.
 */
import { Clock, Effect, Stream } from "effect"
import type { LinkedLeaf } from "../../storage/kinds/node.ts"
import { Store } from "../../storage/store.ts"
import { ClusterView } from "./clusterView.ts"
import { nodeKind } from "./node.actor.ts"

const sameLinks = (a: ReadonlyArray<LinkedLeaf>, b: ReadonlyArray<LinkedLeaf>) =>
  a.length === b.length && a.every((leaf, i) => leaf.id === b[i]?.id && leaf.state === b[i]?.state)

/** Runs for as long as the node does: rewrites the record each time a link comes, goes or changes state. */
export const announceLinkedLeaves = Effect.gen(function*() {
  const store = yield* Store
  const cluster = yield* ClusterView
  let listed: ReadonlyArray<LinkedLeaf> = []
  const update = Effect.gen(function*() {
    const self = yield* cluster.self
    const members = yield* cluster.members
    const now = yield* Clock.currentTimeMillis
    const linked = members
      .filter((member) => member.mode === "leaf" && member.via === undefined && member.id !== self.id)
      .map((member): LinkedLeaf => {
        const before = listed.find((leaf) => leaf.id === member.id)
        return { id: member.id, state: member.state, since: before?.state === member.state ? before.since : now }
      })
    if (sameLinks(linked, listed)) return
    const current = yield* store.get(nodeKind, store.nodeId)
    if (current === undefined || current.deleted) return
    yield* store.put(nodeKind, store.nodeId, { ...(current.value as object), leaves: linked })
    listed = linked
  }).pipe(Effect.catchAll((error) => Effect.logWarning(`listing this node's leaves in its record: ${error.message}`)))
  // The stream starts with a signal, so the first look is at once.
  return yield* Stream.runForEach(cluster.changes, () => update)
})
