import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { pickSome } from "../../transport/gossip/randomPick.ts"

describe("picking a few members at random", () => {
  it.effect("picks as many distinct members as asked, all from the list", () =>
    Effect.gen(function*() {
      const members = Array.from({ length: 50 }, (_, i) => `n${i}`)
      const picked = yield* pickSome([...members], 3)
      expect(new Set(picked).size).toBe(3)
      for (const member of picked) expect(members).toContain(member)
    }))

  it.effect("picks every member when asked for more than there are", () =>
    Effect.gen(function*() {
      expect((yield* pickSome(["n1", "n2"], 5)).sort()).toEqual(["n1", "n2"])
    }))

  it.effect("gives each member its chance over many draws", () =>
    Effect.gen(function*() {
      const seen = new Set<string>()
      for (let draw = 0; draw < 200; draw++) for (const member of yield* pickSome(["a", "b", "c", "d", "e"], 1)) seen.add(member)
      expect(seen.size).toBe(5)
    }))
})
