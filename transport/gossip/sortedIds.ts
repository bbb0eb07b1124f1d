/** Ids kept in sorted arrays (rings, buckets), found and placed by binary search. */

/** Index of `id` in the sorted `sorted`, or where it would go. */
export const positionOf = (sorted: ReadonlyArray<string>, id: string): number => {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (sorted[mid]! < id) low = mid + 1
    else high = mid
  }
  return low
}

/** Puts `item` into the sorted array `sorted` in its place. */
export const insertSorted = (sorted: Array<string>, item: string): void => {
  sorted.splice(positionOf(sorted, item), 0, item)
}
