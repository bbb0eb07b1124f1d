import { describe, expect, it } from "vitest"
import { linksOf } from "../../transport/gossip/overlay.ts"

const ringOfSize = (size: number) => Array.from({ length: size }, (_, i) => `n${String(i).padStart(4, "0")}`)

describe("the partial view's links", () => {
  it("are every other member up to fullMeshUpTo others, as a full mesh", () => {
    const ring = ringOfSize(17)
    expect(linksOf("n0003", ring, 16).sort()).toEqual(ring.filter((id) => id !== "n0003"))
  })

  it("are at most 2·⌈log2 n⌉ per node beyond it, so 1 000 nodes keep 20 links, far under Hyperswarm's 64", () => {
    for (const size of [18, 64, 100, 256, 1000, 4096]) {
      const ring = ringOfSize(size)
      for (const node of [ring[0]!, ring[size >> 1]!, ring[size - 1]!]) {
        const links = linksOf(node, ring, 16)
        expect(links.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size)))
        expect(links).not.toContain(node)
      }
    }
    expect(linksOf("n0500", ringOfSize(1000), 16)).toHaveLength(20)
  })

  it("are symmetric: both ends of a link want it, so no handshake is needed", () => {
    for (const size of [18, 33, 100, 257]) {
      const ring = ringOfSize(size)
      const links = new Map(ring.map((node) => [node, new Set(linksOf(node, ring, 16))]))
      for (const [node, mine] of links) for (const other of mine) expect(links.get(other)!.has(node)).toBe(true)
    }
  })

  it("connect the ring: from any node every other is reached over links in ⌈log2 n⌉ hops", () => {
    const ring = ringOfSize(1000)
    const seen = new Map([["n0000", 0]])
    let frontier = ["n0000"]
    while (frontier.length > 0) {
      const next: Array<string> = []
      for (const node of frontier) {
        for (const link of linksOf(node, ring, 16)) {
          if (seen.has(link)) continue
          seen.set(link, seen.get(node)! + 1)
          next.push(link)
        }
      }
      frontier = next
    }
    expect(seen.size).toBe(1000)
    expect(Math.max(...seen.values())).toBeLessThanOrEqual(Math.ceil(Math.log2(1000)))
  })

  it("are drawn for a node off the ring (one that sees itself as no member) from where it would sit", () => {
    const ring = ringOfSize(40).filter((id) => id !== "n0010")
    const links = linksOf("n0010", ring, 16)
    expect(links).toContain("n0011")
    expect(links).toContain("n0009")
    expect(links).not.toContain("n0010")
  })
})
