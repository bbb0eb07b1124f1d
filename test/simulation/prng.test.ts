import { describe, expect, it } from "@effect/vitest"
import { Effect, Random } from "effect"
import { Prng, seededRandom } from "../../simulations/prng.ts"

const draws = (prng: Prng, n: number) => Array.from({ length: n }, () => prng.nextU32())

describe("seeded PRNG", () => {
  it("gives the same numbers for the same seed", () => {
    expect(draws(new Prng(123), 20)).toEqual(draws(new Prng(123), 20))
  })

  it("gives other numbers for another seed or stream", () => {
    expect(draws(new Prng(123), 5)).not.toEqual(draws(new Prng(124), 5))
    expect(draws(new Prng(123, "network"), 5)).not.toEqual(draws(new Prng(123, "plan"), 5))
  })

  it("keeps integers within their bounds", () => {
    const prng = new Prng(7)
    const values = Array.from({ length: 2000 }, () => prng.between(3, 9))
    expect(Math.min(...values)).toBe(3)
    expect(Math.max(...values)).toBe(9)
  })

  it.effect("drives Effect's Random when provided as its service", () =>
    Effect.gen(function*() {
      const first = yield* Effect.withRandom(Random.next, seededRandom(new Prng(5)))
      const again = yield* Effect.withRandom(Random.next, seededRandom(new Prng(5)))
      expect(first).toBe(again)
      const shuffled = yield* Effect.withRandom(Random.shuffle([1, 2, 3, 4, 5]), seededRandom(new Prng(5)))
      expect([...shuffled].sort()).toEqual([1, 2, 3, 4, 5])
    }))
})
