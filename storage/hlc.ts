/**
 * A hybrid logical clock (Kulkarni, Demirbas et al., "Logical Physical Clocks", 2014).
 *
 * A timestamp is (wall, counter, node): `wall` follows the physical clock but never goes
 * back, `counter` orders events within one wall millisecond, the node id breaks the last
 * tie. Physical time comes from Effect's Clock so that TestClock and the simulator own it.
 */
import { Clock, Effect, Ref } from "effect"
import type { NodeId, Version } from "./record.ts"
import { makeVersion } from "./recordInstances.ts"
import { ClockDriftExceeded } from "./store.errors.ts"

export interface HlcOptions {
  readonly nodeId: NodeId
  /** A remote timestamp further ahead of the local physical clock than this is refused. */
  readonly maxDriftMs: number
  /** The highest timestamp this node has issued or seen before (after a restart). */
  readonly after?: { readonly wall: number; readonly counter: number }
}

export interface Hlc {
  readonly nodeId: NodeId
  /** A timestamp greater than every one this clock issued or received before. */
  readonly now: Effect.Effect<Version>
  /**
   * `count` increasing timestamps, as many calls of `now` at one physical instant would give.
   * Reading Effect's Clock costs microseconds, which a batch of thousands of writes should pay once.
   */
  readonly nowMany: (count: number) => Effect.Effect<ReadonlyArray<Version>>
  /**
   * Moves the clock past a remote timestamp and returns a local timestamp greater than both.
   * Fails, leaving the clock untouched, if the remote wall time is beyond the allowed drift.
   */
  readonly receive: (remote: Version) => Effect.Effect<Version, ClockDriftExceeded>
  /**
   * Fails as `receive` would for the first of `remotes` it would refuse, without moving the
   * clock. One reading of the clock serves them all: a delta carries a watermark per origin.
   */
  readonly admits: (remotes: ReadonlyArray<Version>) => Effect.Effect<void, ClockDriftExceeded>
}

interface Reading {
  readonly wall: number
  readonly counter: number
}

export const makeHlc = (options: HlcOptions): Effect.Effect<Hlc> =>
  Effect.map(Ref.make<Reading>(options.after ?? { wall: 0, counter: 0 }), (last) => {
    const stamp = (reading: Reading) => makeVersion(reading.wall, reading.counter, options.nodeId)

    const nowMany = (count: number) =>
      Effect.flatMap(Clock.currentTimeMillis, (physical) =>
        Ref.modify(last, (previous) => {
          const stamps: Array<Version> = []
          let wall = previous.wall
          let counter = previous.counter
          for (let i = 0; i < count; i++) {
            if (physical > wall) {
              wall = physical
              counter = 0
            } else {
              counter++
            }
            stamps.push(makeVersion(wall, counter, options.nodeId))
          }
          return [stamps, { wall, counter }]
        }))

    const now = Effect.map(nowMany(1), (stamps) => stamps[0]!)

    const drift = (remote: Version, physical: number) =>
      remote.wall - physical > options.maxDriftMs
        ? Effect.fail(
          new ClockDriftExceeded({ remoteWall: remote.wall, localWall: physical, maxDriftMs: options.maxDriftMs })
        )
        : undefined

    const admits = (remotes: ReadonlyArray<Version>) =>
      remotes.length === 0 ? Effect.void : Effect.flatMap(Clock.currentTimeMillis, (physical) => {
        for (const remote of remotes) {
          const refused = drift(remote, physical)
          if (refused !== undefined) return refused
        }
        return Effect.void
      })

    const receive = (remote: Version) =>
      Effect.flatMap(Clock.currentTimeMillis, (physical) => {
        const refused = drift(remote, physical)
        if (refused !== undefined) return refused
        return Ref.modify(last, (previous) => {
          const wall = Math.max(previous.wall, remote.wall, physical)
          const counter = wall === previous.wall && wall === remote.wall
            ? Math.max(previous.counter, remote.counter) + 1
            : wall === previous.wall
            ? previous.counter + 1
            : wall === remote.wall
            ? remote.counter + 1
            : 0
          const next: Reading = { wall, counter }
          return [stamp(next), next]
        })
      })

    return { nodeId: options.nodeId, now, nowMany, receive, admits }
  })
