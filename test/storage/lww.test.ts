import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { compareStamps, lastWriterWins } from "../../storage/lww.ts"
import { versionOrder } from "../../storage/record.ts"
import { remoteRecord, version } from "./storeFixtures.ts"

const versions = fc
  .record({
    wall: fc.integer({ min: 0, max: 5 }),
    counter: fc.integer({ min: 0, max: 3 }),
    node: fc.constantFrom("a", "b", "c")
  })
  .map(({ counter, node, wall }) => version(wall, node, counter))

/** Distinct writes of one key: every write has its own version. */
const writes = (count: number) =>
  fc
    .uniqueArray(versions, {
      minLength: count,
      maxLength: count,
      selector: (at) => `${at.wall}/${at.counter}/${at.node}`
    })
    .map((stamps) => stamps.map((at, i) => remoteRecord("space", "s", i, at)))

describe("last-writer-wins", () => {
  it("compareStamps orders versions exactly as versionOrder", () =>
    fc.assert(fc.property(versions, versions, (a, b) => {
      expect(compareStamps(a, b)).toBe(versionOrder(a, b))
    })))

  it("the winner of two writes does not depend on their order", () =>
    fc.assert(fc.property(writes(2), ([a, b]) => {
      expect(lastWriterWins(a!, b!)).toBe(lastWriterWins(b!, a!))
    })))

  it("merging three writes gives the same winner however they are grouped", () =>
    fc.assert(fc.property(writes(3), ([a, b, c]) => {
      expect(lastWriterWins(lastWriterWins(a!, b!), c!)).toBe(lastWriterWins(a!, lastWriterWins(b!, c!)))
    })))

  it("merging a write with itself gives that write", () =>
    fc.assert(fc.property(writes(1), ([a]) => {
      expect(lastWriterWins(a!, a!)).toBe(a)
    })))

  it("the winner is the write with the highest version", () =>
    fc.assert(fc.property(writes(4), (all) => {
      const winner = all.reduce(lastWriterWins)
      expect(all.every((write) => versionOrder(winner.version, write.version) >= 0)).toBe(true)
    })))
})
