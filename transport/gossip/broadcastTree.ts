/**
 * The ranges of a broadcast tree over node ids (gossip.wire.ts, Push). The ids sit on a ring
 * in string order; a node responsible for the open interval (self, until) hands parts of the
 * members it sees there to some of them, each with the end of its part. With
 * `until === self` the interval is the whole ring but self.
 */

/** Whether `id` lies strictly inside the ring interval (from, until). */
const inside = (from: string, until: string, id: string) =>
  from < until ? from < id && id < until : from === until ? id !== from : id > from || id < until

export interface TreeHop {
  readonly to: string
  readonly until: string
}

/** Members of (self, until), in ring order from self. */
const rangeOf = (self: string, until: string, members: ReadonlyArray<string>) => {
  const mine = members.filter((id) => inside(self, until, id)).sort()
  return [...mine.filter((id) => id > self), ...mine.filter((id) => id < self)]
}

/**
 * Whom `self` sends a write to, and each one's range, for the ring interval (self, until).
 * In a full mesh (`links` absent) the members of the range are split into `fanout`
 * contiguous parts, each handed to its first member: ⌈log_fanout n⌉ hops. Over links, each
 * link inside the range is handed the part up to the next link: the first member of the range
 * is always a link (one place after self), so the parts cover the range, and since the links
 * lie 1, 2, 4, … places on, the tree is ⌈log2 n⌉ deep. No member gets the write twice while
 * views agree.
 */
export const treeHops = (
  self: string,
  until: string,
  members: ReadonlyArray<string>,
  fanout: number,
  links?: ReadonlySet<string>
): ReadonlyArray<TreeHop> => {
  const range = rangeOf(self, until, members)
  const heads: Array<number> = []
  if (links === undefined) {
    const parts = Math.min(Math.max(1, fanout), range.length)
    for (let part = 0; part < parts; part++) heads.push(Math.floor((part * range.length) / parts))
  } else {
    range.forEach((id, index) => {
      if (links.has(id) || index === 0) heads.push(index)
    })
  }
  return heads.map((start, i) => {
    const next = heads[i + 1]
    return { to: range[start]!, until: next === undefined ? until : range[next]! }
  })
}
