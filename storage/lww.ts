/**
 * Last-writer-wins between two writes of one (kind, id): the higher version wins. Versions
 * are totally ordered and unique per write, so the winner does not depend on the order in
 * which writes meet (commutative, associative, idempotent).
 */
import type { StoredRecord } from "./record.ts"

/**
 * The fields that order a version. The store's in-memory index keeps them as plain fields
 * (no Version instance per record), which is most of what reopening a large store costs.
 */
export interface Stamp {
  readonly wall: number
  readonly counter: number
  readonly node: string
}

/** The order of `versionOrder` in record.ts, without its combinator overhead: it runs per record. */
export const compareStamps = (a: Stamp, b: Stamp): -1 | 0 | 1 =>
  a.wall !== b.wall
    ? (a.wall < b.wall ? -1 : 1)
    : a.counter !== b.counter
    ? (a.counter < b.counter ? -1 : 1)
    : a.node === b.node
    ? 0
    : a.node < b.node
    ? -1
    : 1

export const supersedes = (incoming: Stamp, current: Stamp): boolean => compareStamps(incoming, current) > 0

export const lastWriterWins = (a: StoredRecord, b: StoredRecord): StoredRecord =>
  supersedes(b.version, a.version) ? b : a
