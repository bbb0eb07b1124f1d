import { describe, expect, it } from "vitest"
import { treeHops } from "../../transport/gossip/broadcastTree.ts"
import { linksOf } from "../../transport/gossip/overlay.ts"

/**
 * Every node the tree from `origin` reaches, with its depth, when all views are `ids`; over
 * each node's links (overlay.ts) when `overLinks`, the way a cluster of more than
 * `fullMeshUpTo` + 1 members sends it.
 */
const walk = (origin: string, ids: ReadonlyArray<string>, fanout: number, overLinks = false) => {
  const depth = new Map<string, number>()
  const received: Array<string> = []
  const sorted = [...ids].sort()
  const visit = (node: string, until: string, level: number) => {
    const links = overLinks ? new Set(linksOf(node, sorted, 0)) : undefined
    for (const hop of treeHops(node, until, ids.filter((id) => id !== node), fanout, links)) {
      if (links !== undefined) expect(links.has(hop.to)).toBe(true)
      received.push(hop.to)
      depth.set(hop.to, level)
      visit(hop.to, hop.until, level + 1)
    }
  }
  visit(origin, origin, 1)
  return { received, depth: Math.max(0, ...depth.values()) }
}

describe("the broadcast tree of a push", () => {
  it("reaches every other node exactly once, from any origin, for every size and fanout", () => {
    for (let size = 1; size <= 40; size++) {
      const ids = Array.from({ length: size }, (_, i) => `node-${String(i).padStart(3, "0")}`)
      for (const fanout of [1, 2, 3, 5]) {
        for (const origin of [ids[0]!, ids[Math.floor(size / 2)]!, ids[size - 1]!]) {
          const { received } = walk(origin, ids, fanout)
          expect([...received].sort()).toEqual(ids.filter((id) => id !== origin))
        }
      }
    }
  })

  it("is ⌈log_fanout n⌉ deep or less", () => {
    const ids = Array.from({ length: 100 }, (_, i) => `n${i}`)
    expect(walk("n42", ids, 3).depth).toBeLessThanOrEqual(Math.ceil(Math.log(100) / Math.log(3)) + 1)
  })

  it("over links, reaches every other node exactly once, sending only on links, ⌈log2 n⌉ + 1 deep at most", () => {
    for (const size of [1, 2, 3, 17, 40, 100, 333, 1000]) {
      const ids = Array.from({ length: size }, (_, i) => `n${i}`)
      for (const origin of [ids[0]!, ids[Math.floor(size / 2)]!, ids[size - 1]!]) {
        const { depth, received } = walk(origin, ids, 2, true)
        expect([...received].sort()).toEqual(ids.filter((id) => id !== origin).sort())
        expect(depth).toBeLessThanOrEqual(Math.ceil(Math.log2(Math.max(2, size))) + 1)
      }
    }
  })
})
