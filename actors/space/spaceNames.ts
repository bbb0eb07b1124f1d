/**
 * The names spaces show under. A name is unique among its owner's live spaces, but two
 * creates that did not see each other (the two sides of a partition, a leaf offline) can both
 * take one, and both spaces live on: each has its own creation id, record and containers.
 * Every node derives the same names from the same records, so nothing is written to settle
 * them: of the spaces an owner asked to call N, the earliest (createdAt, then id) shows as N,
 * each later one as the first `N-k` (k = 2, 3, ...) that no other live space of that owner
 * asked for or shows as. Once the earlier one is deleted, the later one shows as N again.
 */

export interface NamedSpace {
  readonly id: string
  readonly owner: string
  /** The name its create asked for. */
  readonly name: string
  readonly createdAt?: number | undefined
}

const maxName = 63

const earlierFirst = (a: NamedSpace, b: NamedSpace) =>
  (a.createdAt ?? 0) - (b.createdAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** `name-k`, shortened so that it stays a valid name (63 characters, no "-" before the suffix). */
const suffixed = (name: string, k: number) => {
  const suffix = `-${k}`
  return `${name.slice(0, maxName - suffix.length).replace(/-+$/, "")}${suffix}`
}

/** For every space, the name it shows under (its id is the key). */
export const shownNames = (spaces: ReadonlyArray<NamedSpace>): ReadonlyMap<string, string> => {
  const shown = new Map<string, string>()
  const byOwner = new Map<string, Array<NamedSpace>>()
  for (const space of spaces) byOwner.set(space.owner, [...(byOwner.get(space.owner) ?? []), space])
  for (const own of byOwner.values()) {
    const asked = new Set(own.map((space) => space.name))
    const taken = new Set<string>()
    const later: Array<NamedSpace> = []
    for (const space of [...own].sort(earlierFirst)) {
      if (taken.has(space.name)) later.push(space)
      else {
        taken.add(space.name)
        shown.set(space.id, space.name)
      }
    }
    for (const space of later) {
      let k = 2
      while (asked.has(suffixed(space.name, k)) || taken.has(suffixed(space.name, k))) k++
      taken.add(suffixed(space.name, k))
      shown.set(space.id, suffixed(space.name, k))
    }
  }
  return shown
}

/** What a space whose create met another of the same name shows, so its owner knows why. */
export const renameNotice = (asked: string, shownAs: string) =>
  `another space of yours was created as ${asked} before this one while the two did not see each other; this one is ${shownAs} until that one is gone`
