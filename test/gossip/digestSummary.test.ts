import { describe, expect, it } from "@effect/vitest"
import { type Digest, type NodeId, Version } from "../../storage/record.ts"
import {
  bucketOf,
  differingBuckets,
  inBuckets,
  restrictDigest,
  summarize,
  Summarizer,
  summaryBuckets
} from "../../transport/gossip/digestSummary.ts"

const version = (node: string, wall: number) => new Version({ wall, counter: 0, node: node as NodeId })

const digestOf = (nodes: number, wall = 5): Digest =>
  Object.fromEntries(Array.from({ length: nodes }, (_, i) => [`n${i + 1}`, version(`n${i + 1}`, wall)]))

describe("digest summary", () => {
  it("is one short hash per bucket, whether it sums up ten origins or a thousand", () => {
    for (const origins of [10, 1000]) {
      const summary = summarize(digestOf(origins))
      expect(summary.length).toBe(summaryBuckets)
      expect(JSON.stringify(summary).length).toBeLessThanOrEqual(summaryBuckets * 15 + 2)
    }
  })

  it("differs only in the bucket of an origin whose watermark moved", () => {
    const before = digestOf(100)
    const after = { ...before, n42: version("n42", 6) }
    expect(differingBuckets(summarize(before), summarize(after))).toEqual([bucketOf("n42")])
  })

  it("spreads origins over every bucket", () => {
    const used = new Set(Object.keys(digestOf(200)).map(bucketOf))
    expect(used.size).toBe(summaryBuckets)
  })

  it("covers with a partial digest's buckets exactly the origins the restricted digest holds", () => {
    const mine = digestOf(100)
    const theirs = { ...mine, n7: version("n7", 9), n300: version("n300", 1) }
    const buckets = differingBuckets(summarize(mine), summarize(theirs))
    const covered = inBuckets(buckets)
    expect(Object.keys(restrictDigest(theirs, buckets)).sort()).toEqual(Object.keys(theirs).filter(covered).sort())
    expect(covered("n7") && covered("n300")).toBe(true)
  })

  it("summarizes a node's successive digests as summarize does, as watermarks move and origins join", () => {
    const summarizer = new Summarizer()
    let digest = digestOf(40)
    expect(summarizer.summarize(digest)).toEqual(summarize(digest))
    digest = { ...digest, n7: version("n7", 8) }
    expect(summarizer.summarize(digest)).toEqual(summarize(digest))
    digest = { ...digest, n0: version("n0", 1), n99: version("n99", 2) }
    expect(summarizer.summarize(digest)).toEqual(summarize(digest))
    expect(summarizer.summarize(digestOf(10))).toEqual(summarize(digestOf(10)))
  })

  it("leaves out of a partial digest's cover every origin of the other buckets", () => {
    const mine = digestOf(20)
    const covered = inBuckets([bucketOf("n1")])
    const stray = Object.keys(mine).find((origin) => bucketOf(origin) !== bucketOf("n1"))!
    expect(covered("n1")).toBe(true)
    expect(covered(stray)).toBe(false)
  })
})
