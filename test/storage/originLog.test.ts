import { describe, expect, it } from "@effect/vitest"
import type { Stamp } from "../../storage/lww.ts"
import { OriginLog } from "../../storage/originLog.ts"

interface Entry extends Stamp {
  readonly key: string
}

/** A log whose entries are current while `current` maps their key to them. */
const logWith = () => {
  const current = new Map<string, Entry>()
  const log = new OriginLog<Entry>((entry) => current.get(entry.key) === entry)
  const write = (key: string, wall: number) => {
    const entry: Entry = { key, wall, counter: 0, node: "a" }
    if (current.has(key)) log.retire()
    current.set(key, entry)
    log.add(entry)
  }
  return { log, write }
}

const walls = (entries: ReadonlyArray<Entry>) => entries.map((entry) => entry.wall)
const upTo = (wall: number): Stamp => ({ wall, counter: 0, node: "a" })

describe("origin log", () => {
  it("returns the current entries between two versions, ascending, whatever the order they came in", () => {
    const { log, write } = logWith()
    for (const wall of [5, 1, 9, 3, 7]) write(`k${wall}`, wall)
    expect(walls(log.range(undefined, upTo(9)))).toEqual([1, 3, 5, 7, 9])
    expect(walls(log.range(upTo(3), upTo(7)))).toEqual([5, 7])
  })

  it("leaves out entries that a newer write of their key replaced", () => {
    const { log, write } = logWith()
    write("a", 1)
    write("b", 2)
    write("a", 3)
    expect(walls(log.range(undefined, upTo(10)))).toEqual([2, 3])
  })

  it("stays correct after compacting away most of its entries", () => {
    const { log, write } = logWith()
    for (let wall = 1; wall <= 2_000; wall++) write(`k${wall % 100}`, wall)
    expect(walls(log.range(undefined, upTo(2_000)))).toEqual(Array.from({ length: 100 }, (_, i) => 1_901 + i))
    expect(walls(log.range(upTo(1_990), upTo(1_995)))).toEqual([1_991, 1_992, 1_993, 1_994, 1_995])
  })
})
