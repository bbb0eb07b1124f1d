/**
 * What the cluster feed sends: membership lives in the gossip actor's memory, not in the store,
 * so the store's change feed cannot carry it. The feed waits on the view's changes (a member's
 * state, a node record, a space placed, a leaf's origin link) and gives a snapshot when something
 * people see changed; last contact and traffic move with every message, so they go on a 2 s beat.
 * Every snapshot is the whole view: a browser that reconnects is whole again with the first one.
 */
import { Clock, Duration, Effect, Option, Schedule, Stream } from "effect"
import type { ClusterViewShape, Member } from "../../../actors/node/clusterView.ts"
import type { OriginLinkShape } from "../../../actors/node/originLink.ts"
import { readTraffic } from "../../../transport/hyperswarm/trafficMetrics.ts"
import type { ClusterSnapshot } from "./clusterFeedGroup.ts"

export const BEAT = Duration.seconds(2)
/** A storm of changes (a thousand spaces placed at once) costs at most ten reads of the view a second. */
export const AT_MOST_EVERY = Duration.millis(100)

/** What a person sees change on the page; last contact moves with every message and is sent on the beat. */
const shapeOf = (snapshot: ClusterSnapshot) =>
  snapshot.members.map((member) =>
    `${member.id}:${member.name}:${member.zone}:${member.mode}:${member.state}:${member.incarnation}:${member.spaces}`
  ).sort().join("|") + JSON.stringify(snapshot.origin ?? null)

export const clusterSnapshots = (
  cluster: ClusterViewShape,
  originLink: Option.Option<OriginLinkShape>
): Stream.Stream<ClusterSnapshot> => {
  const snapshot = Effect.gen(function*() {
    const self = yield* cluster.self
    const members = yield* cluster.members
    const origin = Option.isSome(originLink) ? { origin: yield* originLink.value.status } : {}
    const traffic = self.mode === "standalone" ? {} : { traffic: yield* readTraffic(self.id) }
    const shown = members.map(({ announced: _announced, ...member }): Omit<Member, "announced"> => member)
    return { self: self.id, members: shown, ...origin, ...traffic, at: yield* Clock.currentTimeMillis }
  })
  return Stream.suspend(() => {
    let lastShape: string | undefined
    const originChanges = Option.isSome(originLink) ? originLink.value.changes : Stream.empty
    return Stream.mergeAll([
      Stream.as(cluster.changes, "change" as const),
      Stream.as(originChanges, "change" as const),
      Stream.as(Stream.tick(BEAT), "beat" as const)
    ], { concurrency: "unbounded" }).pipe(
      // A signal that arrives while a snapshot is read replaces any waiting one: no backlog.
      Stream.buffer({ capacity: 1, strategy: "sliding" }),
      Stream.schedule(Schedule.spaced(AT_MOST_EVERY)),
      Stream.mapEffect((signal) => Effect.map(snapshot, (current) => ({ signal, current }))),
      Stream.filter(({ current, signal }) => {
        const shape = shapeOf(current)
        if (shape === lastShape && signal === "change") return false
        lastShape = shape
        return true
      }),
      Stream.map(({ current }) => current)
    )
  })
}
