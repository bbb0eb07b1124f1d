import { describe, expect, it } from "vitest"
import { bucketOf, differingBuckets } from "../../transport/gossip/digestSummary.ts"
import type { MemberUpdate } from "../../transport/gossip/gossip.wire.ts"
import { MemberBuckets } from "../../transport/gossip/memberBuckets.ts"

const alive = (node: string, incarnation = 0): MemberUpdate => ({ node, zone: "a", status: "alive", incarnation })

const holding = (updates: ReadonlyArray<MemberUpdate>) => {
  const buckets = new MemberBuckets()
  for (const update of updates) buckets.set(update)
  return buckets
}

const members = Array.from({ length: 200 }, (_, i) => alive(`n${i}`))

describe("the membership summary", () => {
  it("is the same on two nodes that hold the same members, whatever order they heard of them in", () => {
    const one = holding(members)
    const other = holding([...members].reverse())
    expect(differingBuckets(one.summary(), other.summary())).toEqual([])
  })

  it("differs in the one bucket of a member whose status or incarnation differs", () => {
    const one = holding(members)
    const other = holding(members)
    other.set({ ...alive("n42"), status: "dead" })
    expect(differingBuckets(one.summary(), other.summary())).toEqual([bucketOf("n42")])
    one.set(alive("n42", 1))
    other.set(alive("n42", 1))
    expect(differingBuckets(one.summary(), other.summary())).toEqual([])
  })

  it("has one short hash per bucket however many members there are", () => {
    const summary = holding(Array.from({ length: 5000 }, (_, i) => alive(`m${i}`))).summary()
    expect(summary).toHaveLength(16)
    for (const hash of summary) expect(hash.length).toBeLessThanOrEqual(12)
  })

  it("hands out whole buckets up to a bound on entries, always at least the first, and says which", () => {
    const buckets = holding(members)
    const all = Array.from({ length: 16 }, (_, i) => i)
    const some = buckets.entriesOf(all, 30)
    expect(some.members.length).toBeLessThanOrEqual(Math.max(30, members.filter((m) => bucketOf(m.node) === 0).length))
    expect(some.buckets.length).toBeGreaterThan(0)
    for (const member of some.members) expect(some.buckets).toContain(bucketOf(member.node))
    const whole = buckets.entriesOf(some.buckets, Number.POSITIVE_INFINITY).members
    expect(whole.length).toBe(some.members.length)
    expect(buckets.entriesOf(all, Number.POSITIVE_INFINITY).members).toHaveLength(200)
  })
})
