/**
 * The partial view: which members a node keeps links to and talks to. Every node knows every
 * member (membership is full: placement, `knot cluster status` and the checker need it), but
 * a large cluster cannot be a full mesh (Hyperswarm caps a node's connections at 64, and
 * every link costs keepalives), so each node probes, gossips with and pushes to its *links*
 * alone: O(log n) of them.
 *
 * The links are Chord's fingers (Stoica et al., 2001) taken both ways round a ring of the
 * live members in id order: the members 1, 2, 4, … 2^k places after a node and before it.
 * Because "j is 2^k after i" is "i is 2^k before j", the relation is symmetric: both ends of a
 * link want it, with no handshake, and each node has at most 2·⌈log2 n⌉ links. The ring is
 * computed from the membership list, so a member declared dead drops out of it and its place
 * is taken by the next live member at once (HyParView's repair from the passive view, with
 * the whole membership as the passive view); a member back alive takes its place again. A
 * write spreads over the same links as Chord's broadcast (El-Ansary et al., 2003): each node
 * hands each of its links inside its range the part of the range up to the next link.
 *
 * A cluster of at most `fullMeshUpTo + 1` members stays a full mesh: every member a link.
 */
import { positionOf } from "./sortedIds.ts"

/** Up to this many other members, every member is a link. */
export const defaultFullMeshUpTo = 16

/**
 * The links of `node` on `ring` (the live members in id order; `node` need not be on it):
 * every other member of a ring of at most `fullMeshUpTo + 1`, otherwise the members 2^k
 * places after and before it.
 */
export const linksOf = (node: string, ring: ReadonlyArray<string>, fullMeshUpTo: number): Array<string> => {
  const at = positionOf(ring, node)
  const onRing = ring[at] === node
  const others = onRing ? ring.length - 1 : ring.length
  if (others <= fullMeshUpTo) return ring.filter((id) => id !== node)
  const n = ring.length
  const links = new Set<string>()
  // Off the ring (a node that sees itself as no member), place it where it would go.
  const after = (distance: number) => ring[(at + distance - (onRing ? 0 : 1) + n) % n]!
  const before = (distance: number) => ring[(at - distance + n) % n]!
  for (let distance = 1; distance < n; distance *= 2) {
    const next = after(distance)
    const previous = before(distance)
    if (next !== node) links.add(next)
    if (previous !== node) links.add(previous)
  }
  return [...links]
}

/** The live members in id order, with `self`: the ring the links are drawn on. */
export const ringOf = (self: string, live: Iterable<string>): Array<string> => [...live, self].sort()
