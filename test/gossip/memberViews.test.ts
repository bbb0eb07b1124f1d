import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import type { MemberView } from "../../transport/gossip/membershipView.ts"
import { MemberViews, type PublishedMembers } from "../../transport/gossip/memberViews.ts"

const view = (node: string, incarnation: number): MemberView => ({
  node,
  zone: "z",
  state: "alive",
  incarnation,
  changedAt: 0
})

/** Everything a reader can see of a map, in order. */
const seen = (members: ReadonlyMap<string, MemberView>) => ({
  size: members.size,
  entries: [...members],
  keys: [...members.keys()],
  values: [...members.values()]
})

describe("the members a membership view publishes", () => {
  it("read as a Map of the same sets would, through get, has, size, iteration and forEach", () => {
    const views = new MemberViews()
    const map = new Map<string, MemberView>()
    for (const [node, incarnation] of [["n3", 0], ["n1", 0], ["n20", 1], ["n1", 2]] as const) {
      views.set(view(node, incarnation))
      map.set(node, view(node, incarnation))
    }
    const published = views.publish()
    expect(seen(published)).toEqual(seen(map))
    expect(published.get("n1")).toEqual(view("n1", 2))
    expect(published.has("n20")).toBe(true)
    expect(published.has("n9")).toBe(false)
    const visited: Array<string> = []
    published.forEach((member, node, whole) => {
      expect(whole).toBe(published)
      visited.push(`${node}@${member.incarnation}`)
    })
    expect(visited).toEqual(["n3@0", "n1@2", "n20@1"])
  })

  it("stay as published while the writer goes on setting members", () => {
    const views = new MemberViews()
    views.set(view("n1", 0))
    views.set(view("n2", 0))
    const first = views.publish()
    views.set(view("n1", 5))
    views.set(view("n3", 0))
    const second = views.publish()
    expect(seen(first).entries).toEqual([["n1", view("n1", 0)], ["n2", view("n2", 0)]])
    expect(first.has("n3")).toBe(false)
    expect(seen(second).entries).toEqual([["n1", view("n1", 5)], ["n2", view("n2", 0)], ["n3", view("n3", 0)]])
  })

  it("match, publish after publish, a copy of a Map taken at each publish", () => {
    const step = fc.oneof(
      fc.record({ node: fc.integer({ min: 0, max: 60 }).map((i) => `n${i}`), incarnation: fc.nat(9) }),
      fc.constant("publish" as const)
    )
    fc.assert(fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
      const views = new MemberViews()
      const map = new Map<string, MemberView>()
      const published: Array<readonly [PublishedMembers, Map<string, MemberView>]> = []
      for (const s of steps) {
        if (s === "publish") published.push([views.publish(), new Map(map)])
        else {
          views.set(view(s.node, s.incarnation))
          map.set(s.node, view(s.node, s.incarnation))
        }
      }
      published.push([views.publish(), new Map(map)])
      for (const [members, copy] of published) expect(seen(members)).toEqual(seen(copy))
    }))
  })
})
