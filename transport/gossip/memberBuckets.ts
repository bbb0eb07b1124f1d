/**
 * What a node holds of the members, in a summary whose size does not grow with the cluster,
 * for membership's push-pull (gossip.wire.ts, MembershipSummary): members are split into the
 * buckets digestSummary.ts splits origins into, and each bucket hashes to a short string of
 * the status and incarnation of each of its members. Two nodes whose hashes agree hold the
 * same view of those members; where they differ, only those buckets' members are swapped.
 * A bucket is hashed again only when one of its members changed.
 */
import { createHash } from "node:crypto"
import { bucketOf, summaryBuckets } from "./digestSummary.ts"
import type { MemberUpdate } from "./gossip.wire.ts"
import { insertSorted } from "./sortedIds.ts"

export class MemberBuckets {
  private readonly nodes: Array<Array<string>> = Array.from({ length: summaryBuckets }, () => [])
  private readonly entries = new Map<string, MemberUpdate>()
  private readonly hashes: Array<string> = Array.from({ length: summaryBuckets }, () => "")
  private readonly dirty = new Set<number>()

  /** Records what is held of `update.node` now (the node itself included, as alive). */
  set(update: MemberUpdate): void {
    const before = this.entries.get(update.node)
    this.entries.set(update.node, update)
    if (before !== undefined && before.status === update.status && before.incarnation === update.incarnation) return
    const bucket = bucketOf(update.node)
    if (before === undefined) insertSorted(this.nodes[bucket]!, update.node)
    this.dirty.add(bucket)
  }

  /** Forgets `node`: a member that is no part of the swapped state (a leaf of this node). */
  delete(node: string): void {
    if (!this.entries.delete(node)) return
    const bucket = bucketOf(node)
    const nodes = this.nodes[bucket]!
    nodes.splice(nodes.indexOf(node), 1)
    this.dirty.add(bucket)
  }

  get(node: string): MemberUpdate | undefined {
    return this.entries.get(node)
  }

  summary(): ReadonlyArray<string> {
    for (const bucket of this.dirty) {
      const nodes = this.nodes[bucket]!
      this.hashes[bucket] = createHash("sha256")
        .update(nodes.map((node) => {
          const entry = this.entries.get(node)!
          return `${node} ${entry.status} ${entry.incarnation}`
        }).join("\n"))
        .digest("base64")
        .slice(0, 12)
    }
    this.dirty.clear()
    return this.hashes
  }

  /**
   * The members of `buckets`, whole buckets in order until `maxEntries` would be passed (the
   * first one always), and the buckets they cover.
   */
  entriesOf(
    buckets: ReadonlyArray<number>,
    maxEntries: number
  ): { readonly members: Array<MemberUpdate>; readonly buckets: Array<number> } {
    const members: Array<MemberUpdate> = []
    const covered: Array<number> = []
    for (const bucket of buckets) {
      const nodes = this.nodes[bucket]!
      if (covered.length > 0 && members.length + nodes.length > maxEntries) break
      covered.push(bucket)
      for (const node of nodes) members.push(this.entries.get(node)!)
    }
    return { members, buckets: covered }
  }
}
