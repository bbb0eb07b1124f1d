/**
 * The ranges of a broadcast tree over node ids (gossip.wire.ts, Push). The ids sit on a ring
 * in string order; a node responsible for the open interval (self, until) splits the members
 * it sees there into `fanout` contiguous parts and hands each part to its first member. With
 * `until === self` the interval is the whole ring but self.
 */

/** Whether `id` lies strictly inside the ring interval (from, until). */
const inside = (from: string, until: string, id: string) =>
  from < until ? from < id && id < until : from === until ? id !== from : id > from || id < until

/** Members of (self, until), in ring order from self. */
const rangeOf = (self: string, until: string, members: ReadonlyArray<string>) => {
  const mine = members.filter((id) => inside(self, until, id)).sort()
  return [...mine.filter((id) => id > self), ...mine.filter((id) => id < self)]
}

export interface TreeHop {
  readonly to: string
  readonly until: string
}

/** Whom `self` sends the write to, and each one's range, for the interval (self, until). */
export const treeHops = (
  self: string,
  until: string,
  members: ReadonlyArray<string>,
  fanout: number
): ReadonlyArray<TreeHop> => {
  const range = rangeOf(self, until, members)
  const parts = Math.min(Math.max(1, fanout), range.length)
  const hops: Array<TreeHop> = []
  for (let part = 0; part < parts; part++) {
    const start = Math.floor((part * range.length) / parts)
    const next = Math.floor(((part + 1) * range.length) / parts)
    hops.push({ to: range[start]!, until: next < range.length ? range[next]! : until })
  }
  return hops
}
