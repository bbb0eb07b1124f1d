/**
 * A store's digest in a size that does not grow with the cluster. The digest holds a
 * watermark per origin node, so a round that sent it whole would cost every node O(n) bytes
 * per peer. Origins are split into a fixed number of buckets by a hash of their id; the
 * summary is one hash per bucket of the watermarks in it. Two nodes whose summaries agree
 * hold the same watermarks and have nothing to swap; where they differ, only the watermarks
 * of the differing buckets cross the wire (as a partial digest), and each side compares only
 * those origins, taking the peer to hold its own watermarks of the buckets that agree.
 */
import { createHash } from "node:crypto"
import type { Digest } from "../../storage/record.ts"
import { insertSorted } from "./sortedIds.ts"

/** Buckets in a summary: a summary is this many short hashes whatever the cluster's size. */
export const summaryBuckets = 16

/** FNV-1a over the id: cheap, and the same on every node. */
const fnvBucket = (origin: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < origin.length; i++) {
    hash ^= origin.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % summaryBuckets
}

/**
 * Every digest a node handles is split by bucket, an id at a time, and the ids are the
 * cluster's members: remembered, the split costs a lookup rather than a hash over a 64-character
 * key. Bounded, since a process may meet ids without end (a fuzz run's clusters).
 */
const bucketsKnown = new Map<string, number>()
const maxBucketsKnown = 65_536

export const bucketOf = (origin: string): number => {
  const known = bucketsKnown.get(origin)
  if (known !== undefined) return known
  if (bucketsKnown.size >= maxBucketsKnown) bucketsKnown.clear()
  const bucket = fnvBucket(origin)
  bucketsKnown.set(origin, bucket)
  return bucket
}

type Watermark = Digest[string]

const bucketHash = (origins: ReadonlyArray<string>, digest: Digest): string =>
  origins.length === 0 ? "" : createHash("sha256")
    .update(origins.map((origin) => {
      const version = digest[origin]!
      return `${origin} ${version.wall} ${version.counter} ${version.node}`
    }).join("\n"))
    .digest("base64")
    .slice(0, 12)

/** Per bucket, a hash of its watermarks in origin order; an empty bucket hashes to "". */
export const summarize = (digest: Digest): Array<string> => {
  const origins: Array<Array<string>> = Array.from({ length: summaryBuckets }, () => [])
  for (const origin of Object.keys(digest).sort()) origins[bucketOf(origin)]!.push(origin)
  return origins.map((inBucket) => bucketHash(inBucket, digest))
}

/** The buckets whose hashes differ (all of them if `theirs` is not a summary of this shape). */
export const differingBuckets = (mine: ReadonlyArray<string>, theirs: ReadonlyArray<string>): Array<number> => {
  const differing: Array<number> = []
  for (let bucket = 0; bucket < summaryBuckets; bucket++) {
    if (mine[bucket] !== theirs[bucket]) differing.push(bucket)
  }
  return differing
}

/**
 * The origins a partial digest covers: those of `buckets`. For every other origin the summaries
 * showed the peer to hold what this node holds, so a store compares only these
 * (`SinceOptions.only`), and a watermark the peer sends for any other is not taken.
 */
export const inBuckets = (buckets: ReadonlyArray<number>): ((origin: string) => boolean) => {
  const covered = new Set(buckets)
  return (origin) => covered.has(bucketOf(origin))
}

/** The watermarks of `digest` whose origins fall in `buckets`. */
export const restrictDigest = (digest: Digest, buckets: ReadonlyArray<number>): Digest => {
  const covered = inBuckets(buckets)
  const out: Record<string, Digest[string]> = {}
  for (const origin of Object.keys(digest)) {
    if (covered(origin)) out[origin] = digest[origin]!
  }
  return out
}

/**
 * `summarize` for one node's successive digests: a store hands out the same watermark
 * object until it moves, so only the buckets of watermarks that moved are hashed again, and
 * a round of a settled node costs a pass over its origins rather than a sort and 16 hashes.
 */
export class Summarizer {
  private readonly known = new Map<string, Watermark>()
  /** Each bucket's origins, in order. */
  private origins: Array<Array<string>> = Array.from({ length: summaryBuckets }, () => [])
  private hashes: Array<string> = Array.from({ length: summaryBuckets }, () => "")
  /** The digest last summarized: a store hands out the same object until a watermark moves. */
  private last: Digest | undefined = undefined

  summarize(digest: Digest): ReadonlyArray<string> {
    if (digest === this.last) return this.hashes
    this.last = digest
    const moved = new Set<number>()
    let present = 0
    for (const origin of Object.keys(digest)) {
      present++
      const watermark = digest[origin]!
      const before = this.known.get(origin)
      if (before === watermark) continue
      const bucket = bucketOf(origin)
      if (before === undefined) insertSorted(this.origins[bucket]!, origin)
      this.known.set(origin, watermark)
      moved.add(bucket)
    }
    if (present !== this.known.size) return this.restart(digest)
    if (moved.size === 0) return this.hashes
    this.hashes = this.hashes.map((hash, bucket) => (moved.has(bucket) ? bucketHash(this.origins[bucket]!, digest) : hash))
    return this.hashes
  }

  /** A digest that lost an origin (a store restored from elsewhere): everything afresh. */
  private restart(digest: Digest): ReadonlyArray<string> {
    this.known.clear()
    this.origins = Array.from({ length: summaryBuckets }, () => [])
    for (const origin of Object.keys(digest).sort()) {
      this.known.set(origin, digest[origin]!)
      this.origins[bucketOf(origin)]!.push(origin)
    }
    this.hashes = summarize(digest)
    return this.hashes
  }
}
