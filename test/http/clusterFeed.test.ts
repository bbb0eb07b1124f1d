/**
 * The cluster feed pushes: a change of membership reaches the page without waiting for the
 * feed's 2 s beat, which only refreshes last contact and traffic. The clock here is the test's,
 * so nothing moves unless the test moves it: a snapshot that arrives before the beat was pushed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Option, Stream, SubscriptionRef, TestClock } from "effect"
import { ClusterView } from "../../actors/node/clusterView.ts"
import { GossipClusterView } from "../../actors/node/clusterView.gossip.ts"
import type { ClusterSnapshot } from "../../effects/http/ui/clusterFeedGroup.ts"
import { AT_MOST_EVERY, BEAT, clusterSnapshots } from "../../effects/http/ui/clusterSnapshots.ts"
import type { OriginLinkShape } from "../../actors/node/originLink.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { OriginLinkLive } from "../../transport/leaf/originLink.live.ts"
import { NodeId } from "../../storage/record.ts"
import { makeMembershipView, type MemberView } from "../../transport/gossip/membershipView.ts"

const settle = Effect.repeatN(Effect.yieldNow(), 50)

/** n1's cluster feed over a membership view the test writes, as the membership actor would (and a leaf's origin link). */
const feedOf = (originLink: Option.Option<OriginLinkShape>) => Effect.gen(function*() {
  const view = yield* makeMembershipView("n1", "a")
  const services = yield* Layer.build(
    GossipClusterView.layer({ view, mode: "cluster" }).pipe(
      Layer.provide(MemoryStore.layer({ nodeId: NodeId.make("n1"), maxDriftMs: 60_000 }))
    )
  )
  const cluster = Context.get(services, ClusterView)
  let reads = 0
  const counted = { ...cluster, members: Effect.tap(cluster.members, () => void reads++) }
  const received: Array<ClusterSnapshot> = []
  yield* Effect.forkScoped(
    Stream.runForEach(clusterSnapshots(counted, originLink), (snapshot) =>
      Effect.sync(() => void received.push(snapshot)))
  )
  /** Lets the feed run for `duration` of test time, in its own steps, and returns what it sent. */
  const during = (duration: Duration.DurationInput) =>
    Effect.gen(function*() {
      const before = received.length
      for (let left = Duration.toMillis(duration); left > 0; left -= Duration.toMillis(AT_MOST_EVERY)) {
        yield* TestClock.adjust(AT_MOST_EVERY)
        yield* settle
      }
      return received.slice(before)
    })
  const setMember = (member: MemberView) =>
    SubscriptionRef.update(view, (snapshot) => ({ ...snapshot, members: new Map([...snapshot.members, [member.node, member]]) }))
  return { during, setMember, reads: Effect.sync(() => reads) }
})

const feedOfN1 = feedOf(Option.none())

const stateOf = (snapshot: ClusterSnapshot | undefined, id: string) => snapshot?.members.find((member) => member.id === id)?.state

describe("the cluster feed", () => {
  it.scoped("sends the whole view as soon as it is opened", () =>
    Effect.gen(function*() {
      const feed = yield* feedOfN1
      const first = yield* feed.during(AT_MOST_EVERY)
      expect(first.at(-1)?.members.map((member) => member.id)).toEqual(["n1"])
    }))

  it.scoped("pushes a member turning dead within a tenth of a second, long before its beat comes round", () =>
    Effect.gen(function*() {
      const feed = yield* feedOfN1
      yield* feed.setMember({ node: "n2", zone: "a", state: "alive", incarnation: 0, changedAt: 0 })
      yield* feed.during(Duration.sum(BEAT, BEAT))
      yield* feed.setMember({ node: "n2", zone: "a", state: "dead", incarnation: 0, changedAt: 0 })
      const sent = yield* feed.during(AT_MOST_EVERY)
      expect(stateOf(sent.at(-1), "n2")).toBe("dead")
    }))

  it.scoped("pushes a leaf's link to its origin going down within a tenth of a second", () =>
    Effect.gen(function*() {
      const link = yield* OriginLinkLive.make({ origin: "ab".repeat(32) })
      const feed = yield* feedOf(Option.some(link))
      yield* link.linked("n-origin")
      yield* feed.during(Duration.sum(BEAT, BEAT))
      yield* link.lost
      const sent = yield* feed.during(AT_MOST_EVERY)
      expect(sent.at(-1)?.origin?.state).toBe("unreachable")
    }))

  it.scoped("between changes, reads the view and sends it only on the beat, for last contact and traffic", () =>
    Effect.gen(function*() {
      const feed = yield* feedOfN1
      // The first look (a change and a beat at once) is over by then.
      yield* feed.during(Duration.millis(Duration.toMillis(BEAT) / 4))
      const readsBefore = yield* feed.reads
      const sent = yield* feed.during(Duration.times(BEAT, 3))
      expect(sent).toHaveLength(3)
      expect((yield* feed.reads) - readsBefore).toBe(3)
    }))
})
