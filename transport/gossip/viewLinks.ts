/**
 * Hands a transport that holds a connection per peer (Hyperswarm) the links of gossip's
 * partial view and the public keys members announce in their node records, so that it
 * connects to those links and to nobody else it need not (transport/hyperswarm/linkKeeper.ts).
 */
import { Effect, Either, Queue, Schedule, Schema, Stream, SubscriptionRef } from "effect"
import { Node } from "../../storage/kinds/node.ts"
import { type StoredRecord, type Version, versionOrder } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import type { PeerId, TransportShape } from "../transport.ts"
import { type MembershipSnapshot, type MembershipView, reachableLinks, statusOf } from "./membershipView.ts"

/**
 * Besides when the links or the keys change: Hyperswarm gives up on a peer after a few failed
 * dials, and a hand-over joins every unlinked link again.
 */
const handOverEvery = "5 seconds"
/**
 * Links settle over a few membership messages after a change: one hand-over for them all,
 * this long after the first. It is not a debounce: while a partition heals the view changes
 * for seconds on end, and a hand-over that waited for a quiet moment would leave the links
 * that long behind the view.
 */
const settleFor = "200 millis"

const decodeNode = Schema.decodeUnknownEither(Node)

/** The view's links, or undefined while they are every reachable member (a full mesh). */
export const wantedLinks = (snapshot: MembershipSnapshot): ReadonlyArray<PeerId> | undefined => {
  if (snapshot.links === undefined) return undefined
  const links = reachableLinks(snapshot)
  // Counts reachable members only until they outnumber the links: run at every change of the
  // view, a full count was most of what the hand-over cost in a large cluster.
  let reachable = 0
  for (const member of snapshot.members.values()) {
    if (statusOf(member.state) !== "dead" && ++reachable > links.length) return links
  }
  return undefined
}

/**
 * The keys members announce, kept as their node records change (reading and decoding every
 * node record at each hand-over cost a large cluster more than the hand-overs themselves).
 * `changed` hears of each key that arrives or changes after the first listing: members' keys
 * arrive by anti-entropy after the members themselves, and a link is dialed by its key.
 */
const announcedKeys = (changed: () => void) =>
  Effect.gen(function*() {
    const store = yield* Store
    const keys = new Map<PeerId, string>()
    const seen = new Map<PeerId, Version>()
    const take = (record: StoredRecord): boolean => {
      const held = seen.get(record.id)
      if (held !== undefined && versionOrder(held, record.version) >= 0) return false
      seen.set(record.id, record.version)
      const node = record.deleted ? undefined : decodeNode(record.value)
      const key = node !== undefined && Either.isRight(node) ? node.right.publicKey : undefined
      if (key === keys.get(record.id)) return false
      if (key === undefined) keys.delete(record.id)
      else keys.set(record.id, key)
      return true
    }
    // Listening before listing, so that no change falls between the two; the versions keep a
    // listed record from undoing a newer one heard meanwhile.
    yield* store.listen((change) => {
      if (change.record.kind === "node" && take(change.record)) changed()
    })
    for (const record of yield* Effect.orElseSucceed(store.list("node"), () => [])) take(record)
    return keys
  })

export const keepViewLinked = (
  view: MembershipView,
  keepLinks: NonNullable<TransportShape["keepLinks"]>
): Effect.Effect<void, never, Store> =>
  Effect.scoped(Effect.gen(function*() {
    // One pending wake at most: a change while one waits is handed over with it.
    const wake = yield* Queue.dropping<void>(1)
    const keys = yield* announcedKeys(() => Queue.unsafeOffer(wake, undefined))
    const handOver = Effect.flatMap(SubscriptionRef.get(view), (snapshot) => keepLinks(wantedLinks(snapshot), keys))
    const linksChanged = view.changes.pipe(
      Stream.map((snapshot) => wantedLinks(snapshot)?.join(" ")),
      Stream.changes,
      Stream.runForEach(() => Queue.offer(wake, undefined))
    )
    const everyFewSeconds = Effect.repeat(Queue.offer(wake, undefined), Schedule.spaced(handOverEvery))
    // The only caller of keepLinks, so that two hand-overs never interleave.
    const settleThenHandOver = Queue.take(wake).pipe(
      Effect.zipRight(Effect.sleep(settleFor)),
      Effect.zipRight(Queue.takeAll(wake)),
      Effect.zipRight(handOver),
      Effect.forever
    )
    yield* Effect.all([linksChanged, everyFewSeconds, settleThenHandOver], { concurrency: "unbounded", discard: true })
  }))
