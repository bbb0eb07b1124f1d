/**
 * Push-pull anti-entropy as an actor. Every round it sends a summary of its digest
 * (digestSummary.ts: a hash per bucket of origins, a fixed size whatever the cluster's) to
 * `fanout` random reachable members, or the digest itself while it holds no more origins
 * than the summary has buckets. A receiver whose summary agrees stays silent; otherwise it
 * answers with its watermarks of the differing buckets, the sender answers with the records
 * the receiver lacks and its own watermarks of those buckets, and the receiver completes the
 * exchange with what the sender lacks.
 *
 * Peers are drawn from the node's links (overlay.ts): every member in a small cluster, O(log n)
 * of them in a large one.
 *
 * New local writes travel at once down a broadcast tree over the members (broadcastTree.ts):
 * each node the write is new to passes it on to others, each with its own share of the ring
 * (`fanout` shares in a full mesh; over links, one per link in its range), so it reaches n
 * nodes in O(log n) hops with no duplicates while views agree (random forwarding-once leaves
 * ~e^-fanout of the nodes out). A node that already had the
 * version passes nothing on. Pushes are merged without moving the digest, so the next
 * exchange still covers them: anti-entropy remains the repair path for a branch lost to a
 * failed node. What one node sends per round is bounded: a delta is cut at `maxDeltaBytes`,
 * and once `maxBytesPerRound` is spent, requests wait a round.
 */
import { Effect, Metric, Random, Scope, SubscriptionRef } from "effect"
import type { Behaviour } from "../../actors/runtime/index.ts"
import {
  Delta as StoreDelta,
  type Digest as StoreDigest,
  isKnownKind,
  KnownKind,
  type StoredRecord,
  type Version
} from "../../storage/record.ts"
import { leafKind } from "../../storage/kinds/leaf.ts"
import { compareStamps, supersedes } from "../../storage/lww.ts"
import { Store, type StoreShape } from "../../storage/store.ts"
import type { StoreError } from "../../storage/store.errors.ts"
import { Transport, type TransportShape } from "../transport.ts"
import type { GossipConfig } from "./gossip.config.ts"
import { GossipEvent, type GossipEventSink } from "./gossip.events.ts"
import { sendGossip } from "./gossip.send.ts"
import { type AntiEntropyMessage, type GossipMessage, maxPushHops } from "./gossip.wire.ts"
import { type MembershipSnapshot, type MembershipView, reachableLinks, reachableMembers, statusOf } from "./membershipView.ts"
import { treeHops } from "./broadcastTree.ts"
import { pickSome } from "./randomPick.ts"
import { differingBuckets, inBuckets, restrictDigest, Summarizer, summaryBuckets } from "./digestSummary.ts"
import { refusedRecordsCounter } from "./gossipMetrics.ts"
import {
  type LeafScope,
  outsideShare,
  ownScope,
  type RecordLookup,
  refusalOf,
  sharedForm,
  shareWithLeaf
} from "./leafAuthority.ts"

export type AntiEntropyCommand =
  | { readonly _tag: "Round" }
  | { readonly _tag: "ShareChanged"; readonly leaf: StoredRecord }
  | { readonly _tag: "LocalWrite"; readonly record: StoredRecord }
  | { readonly _tag: "Received"; readonly from: string; readonly message: AntiEntropyMessage }

export interface AntiEntropyOptions {
  readonly config: GossipConfig
  readonly view: MembershipView
  readonly onEvent: GossipEventSink
  /**
   * On a node leaves link to: the leaf a peer is, or undefined for a cluster member (trusted).
   * What a leaf sends is checked against its authority, and it is sent only what it needs
   * (leafAuthority.ts).
   */
  readonly leafScope?: (peer: string) => Effect.Effect<LeafScope | undefined>
  /**
   * On a leaf: its name (its credential's). The origin sends a leaf nothing outside its share
   * yet raises its watermarks past it, so when its own leaf record changes (added again with
   * other users or zone) it forgets every other origin's watermark and is sent its share anew.
   */
  readonly ownLeaf?: string
}

interface State {
  readonly store: StoreShape
  readonly transport: TransportShape
  /** Bytes sent since the round began. */
  spent: number
  readonly summarizer: Summarizer
  /** `peer/kind` pairs already reported as refused, so a peer that keeps sending them logs once. */
  readonly reported: Set<string>
  readonly refused: Metric.Metric.Counter<number>
}

/** Whether `delta` gives its receiver anything: records, or a watermark to raise. */
const carriesNews = (delta: StoreDelta) => delta.records.length > 0 || Object.keys(delta.upTo).length > 0

/**
 * What a peer's message tells of its watermarks: `digest` for the origins `only` accepts (every
 * origin when absent); for the others, the summaries showed it to hold what this node holds.
 */
interface TheirWatermarks {
  readonly digest: StoreDigest
  readonly only: ((origin: string) => boolean) | undefined
}

/** Whether the peer is ahead of `mine` for some origin, i.e. it holds writes we lack. */
const aheadOf = (theirs: TheirWatermarks, mine: StoreDigest) =>
  Object.entries(theirs.digest).some(([origin, version]) => {
    if (theirs.only !== undefined && !theirs.only(origin)) return false
    const own = Object.hasOwn(mine, origin) ? mine[origin] : undefined
    return own === undefined || supersedes(version, own)
  })

export const antiEntropyBehaviour = (
  options: AntiEntropyOptions
): Behaviour<AntiEntropyCommand, State, Store | Transport> => {
  const { config, onEvent, view } = options
  const scopeOf = options.leafScope ?? (() => Effect.succeed(undefined))

  const lookup = (state: State): RecordLookup => (kind, id) => Effect.orElseSucceed(state.store.get(kind, id), () => undefined)

  /** Only what the leaf needs of `records` now: a push raises no watermark, so a record that waits is simply left out. */
  const forLeaf = (state: State, scope: LeafScope, records: ReadonlyArray<StoredRecord>) =>
    Effect.gen(function*() {
      const shared: Array<StoredRecord> = []
      for (const record of records) {
        const sent = sharedForm(record, yield* shareWithLeaf(scope, record, state.store.get))
        if (sent !== undefined) shared.push(sent)
      }
      return shared
    })

  /**
   * Only what the leaf needs of `delta`, with no watermark past a record whose share waits
   * (leafAuthority.ts): that origin's watermark stops at its record before, and its later
   * records are left for the next exchange, as a delta cut at its budget leaves them.
   */
  const deltaForLeaf = (state: State, scope: LeafScope, delta: StoreDelta) =>
    Effect.gen(function*() {
      const records: Array<StoredRecord> = []
      const upTo: Record<string, Version> = { ...delta.upTo }
      const before = new Map<string, Version>()
      const waiting = new Set<string>()
      for (const record of delta.records) {
        const origin = record.version.node
        if (waiting.has(origin)) continue
        const share = yield* shareWithLeaf(scope, record, state.store.get)
        if (share === "wait") {
          waiting.add(origin)
          const last = before.get(origin)
          if (last === undefined) delete upTo[origin]
          else upTo[origin] = last
          continue
        }
        before.set(origin, record.version)
        const sent = sharedForm(record, share)
        if (sent !== undefined) records.push(sent)
      }
      return new StoreDelta({ ...delta, records, upTo }, true)
    })

  const outbound = (state: State, peer: string, message: GossipMessage): Effect.Effect<GossipMessage> =>
    message._tag !== "Delta" && message._tag !== "Push"
      ? Effect.succeed(message)
      : Effect.flatMap(scopeOf(peer), (scope) => {
        if (scope === undefined) return Effect.succeed(message)
        const share = scope.version === undefined ? {} : { share: scope.version }
        if (message._tag === "Push") {
          return Effect.map(forLeaf(state, scope, message.records), (records) => ({ ...message, records, ...share }))
        }
        return Effect.map(deltaForLeaf(state, scope, message.delta), (delta) => ({ ...message, delta, ...share }))
      })

  const send = (state: State, peer: string, message: GossipMessage) =>
    Effect.flatMap(outbound(state, peer, message), (filtered) =>
      filtered._tag === "Push" && filtered.records.length === 0
        ? Effect.void
        : Effect.map(sendGossip(state.transport, config, peer, filtered), (bytes) => {
          state.spent += bytes
        }))

  const budget = (state: State) => Math.min(config.maxDeltaBytes, config.maxBytesPerRound - state.spent)

  const somePeers = Effect.flatMap(SubscriptionRef.get(view), (snapshot) => pickSome(reachableLinks(snapshot), config.fanout))

  /** `nodes` but this node's leaves: they are off the ring, and get each write from this node alone. */
  const offLeaves = (snapshot: MembershipSnapshot, nodes: ReadonlyArray<string>) => {
    const leaves = snapshot.leaves
    return leaves === undefined || leaves.size === 0 ? nodes : nodes.filter((node) => !leaves.has(node))
  }

  /** The links to send a write down, where they are fewer than the members; undefined in a full mesh. */
  const partialLinks = (snapshot: MembershipSnapshot, members: ReadonlyArray<string>) => {
    if (snapshot.links === undefined) return undefined
    const links = offLeaves(snapshot, snapshot.links)
    return links.length >= members.length ? undefined : new Set(links)
  }

  /** A depth bound for the tree, with room to spare: a push claiming more is cut there. */
  const hopLimit = (members: number) => Math.min(maxPushHops, Math.ceil(Math.log2(members + 1)) + 2)

  const round = (state: State) =>
    Effect.gen(function*() {
      state.spent = 0
      const digest = yield* state.store.digest
      // A digest of no more origins than a summary has buckets stays within a few hundred
      // bytes, and saves an exchange that finds a difference a leg.
      const opening: GossipMessage = Object.keys(digest).length <= summaryBuckets
        ? { _tag: "Digest", digest }
        : { _tag: "Summary", buckets: [...state.summarizer.summarize(digest)] }
      for (const peer of yield* somePeers) yield* send(state, peer, opening)
    })

  const onSummary = (state: State, from: string, theirs: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      if (budget(state) <= 0) return
      const mine = yield* state.store.digest
      const buckets = differingBuckets(state.summarizer.summarize(mine), theirs)
      if (buckets.length === 0) return
      yield* send(state, from, { _tag: "Digest", digest: restrictDigest(mine, buckets), buckets })
    })

  /** The peer's watermarks, from the part of them a message carries. */
  const theirWatermarks = (digest: StoreDigest, buckets: ReadonlyArray<number> | undefined): TheirWatermarks => ({
    digest,
    only: buckets === undefined ? undefined : inBuckets(buckets)
  })

  /** What this node holds that the peer lacks, within this round's budget. */
  const lacking = (state: State, theirs: TheirWatermarks) =>
    state.store.since(theirs.digest, { maxBytes: budget(state), only: theirs.only })

  /** This node's digest as a reply to a digest covering `buckets` carries it. */
  const ownPart = (mine: StoreDigest, buckets: ReadonlyArray<number> | undefined) =>
    buckets === undefined ? { digest: mine } : { digest: restrictDigest(mine, buckets), buckets }

  const onDigest = (state: State, from: string, partial: StoreDigest, buckets: ReadonlyArray<number> | undefined) =>
    Effect.gen(function*() {
      if (budget(state) <= 0) return
      const mine = yield* state.store.digest
      const theirs = theirWatermarks(partial, buckets)
      const delta = yield* lacking(state, theirs)
      if (!carriesNews(delta) && !aheadOf(theirs, mine)) return
      yield* send(state, from, { _tag: "Delta", delta, ...ownPart(mine, buckets) })
    })

  /**
   * What this node takes of a frame: the records within the sender's authority and, on a leaf,
   * within its own share; and whether the frame was judged by the leaf record it holds now
   * (`whole`), else its watermarks are not taken either.
   */
  const admissible = (state: State, from: string, records: ReadonlyArray<StoredRecord>, share: Version | undefined) =>
    Effect.flatMap(checked(state, from, records), (kept) => fromOrigin(state, kept, share))

  /**
   * On a leaf, what it takes of a frame from its origin, which judged the leaf's share by the
   * leaf record it held (`share`; none when it held none).
   *
   * Judged by the record the leaf holds now, the frame is taken within the leaf's own share: a
   * frame the origin sent under an old share may arrive after the record that changed it, and
   * would bring back what the change removed.
   *
   * Judged by another, only the leaf's own record is taken of it, so the two come to agree.
   * The rest could undo the change: the origin raises a leaf's watermarks past what it
   * withholds, and sends a template limited to other zones as a tombstone of its version.
   * Landing after the leaf forgot its watermarks and dropped such tombstones for the change,
   * they would raise the watermarks again past records the new share sends, and shadow a
   * template of its new zone, for good. (`Delta.after` guards the watermarks only where the
   * leaf held one to forget: not for an origin it had none of, as just after an earlier
   * change.) What is not taken comes again, judged anew.
   */
  const fromOrigin = (state: State, records: ReadonlyArray<StoredRecord>, share: Version | undefined) =>
    options.ownLeaf === undefined
      ? Effect.succeed({ records, whole: true })
      : Effect.gen(function*() {
        const ownLeaf = options.ownLeaf!
        const own = yield* Effect.orElseSucceed(state.store.get(leafKind, ownLeaf), () => undefined)
        const held = own?.version
        const judgedHere = held === undefined || share === undefined ? held === share : compareStamps(held, share) === 0
        if (!judgedHere) {
          return { records: records.filter((record) => record.kind === leafKind && record.id === ownLeaf), whole: false }
        }
        const scope = own === undefined ? undefined : ownScope(own, state.store.nodeId)
        if (scope === undefined || records.length === 0) return { records, whole: true }
        const outside = new Set(yield* outsideShare(scope, records, lookup(state)))
        return { records: outside.size === 0 ? records : records.filter((record) => !outside.has(record)), whole: true }
      })

  /**
   * The records of a frame within its sender's authority. A record of an unknown kind is
   * refused for good, so a delta's watermarks still apply: its origin's range is not asked
   * for again.
   */
  const checked = (state: State, from: string, records: ReadonlyArray<StoredRecord>) =>
    Effect.gen(function*() {
      const scope = yield* scopeOf(from)
      if (scope === undefined && records.every((record) => isKnownKind(record.kind))) return records
      const staged = new Map(records.map((record) => [`${record.kind}/${record.id}`, record]))
      const kept: Array<StoredRecord> = []
      for (const record of records) {
        const refusal = !isKnownKind(record.kind)
          ? "no record of this kind exists in this version of knot"
          : scope === undefined
          ? undefined
          : yield* refusalOf(scope, record, lookup(state), staged)
        if (refusal === undefined) {
          kept.push(record)
          continue
        }
        yield* Metric.increment(state.refused)
        const key = `${from}/${record.kind}`
        if (state.reported.has(key)) continue
        state.reported.add(key)
        const peer = scope === undefined ? from : `${from} (leaf ${scope.name})`
        yield* onEvent(GossipEvent.RecordsRefused({ peer, kind: record.kind, reason: refusal }))
      }
      return kept
    })

  /**
   * A leaf speaks for its own writes only: watermarks it claims for other origins are not
   * taken, nor its own while its leaf record does not read, since its writes were refused
   * only for want of that record.
   */
  const admissibleUpTo = (from: string, upTo: StoreDigest) =>
    Effect.map(scopeOf(from), (scope) =>
      scope === undefined
        ? upTo
        : scope.unread !== true && Object.hasOwn(upTo, scope.node) ? { [scope.node]: upTo[scope.node]! } : {})

  const onDelta = (
    state: State,
    from: string,
    received: StoreDelta,
    partial: StoreDigest | undefined,
    buckets: ReadonlyArray<number> | undefined,
    share: Version | undefined
  ) =>
    Effect.gen(function*() {
      const { records, whole } = yield* admissible(state, from, received.records, share)
      const upTo = whole ? yield* admissibleUpTo(from, received.upTo) : {}
      const delta = records === received.records && upTo === received.upTo
        ? received
        : new StoreDelta({ ...received, records, upTo }, true)
      if (carriesNews(delta)) yield* state.store.applyDelta(delta)
      if (partial === undefined || budget(state) <= 0) return
      const back = yield* lacking(state, theirWatermarks(partial, buckets))
      if (carriesNews(back)) yield* send(state, from, { _tag: "Delta", delta: back })
    })

  const received = (state: State, from: string, message: AntiEntropyMessage) => {
    const handled: Effect.Effect<void, StoreError> = message._tag === "Summary"
      ? onSummary(state, from, message.buckets)
      : message._tag === "Digest"
      ? onDigest(state, from, message.digest, message.buckets)
      : message._tag === "Delta"
      ? onDelta(state, from, message.delta, message.digest, message.buckets, message.share)
      : Effect.flatMap(admissible(state, from, message.records, message.share), ({ records }) =>
        onPush(state, from, records, message.hops, message.until))
    // A peer's bad records (e.g. from a clock too far ahead) must not stop this actor.
    return Effect.catchAll(handled, (error) => onEvent(GossipEvent.SyncRefused({ peer: from, reason: error.message })))
  }

  /** The members a write spreads over. */
  const ringMembers = (snapshot: MembershipSnapshot) => offLeaves(snapshot, reachableMembers(snapshot))

  /** Sends `records` down the tree from this node, over the interval (self, until), and to its leaves but `from`. */
  const spread = (state: State, records: ReadonlyArray<StoredRecord>, hops: number, until: string, from?: string) =>
    Effect.gen(function*() {
      const snapshot = yield* SubscriptionRef.get(view)
      const members = ringMembers(snapshot)
      for (const next of treeHops(state.transport.self, until, members, config.fanout, partialLinks(snapshot, members))) {
        yield* send(state, next.to, { _tag: "Push", records, hops, until: next.until })
      }
      yield* toLeaves(state, snapshot, records, from)
    })

  /** Hands a write to this node's leaves but `from`, with no hop to pass on: a leaf links to this node alone. */
  const toLeaves = (state: State, snapshot: MembershipSnapshot, records: ReadonlyArray<StoredRecord>, from?: string) =>
    Effect.gen(function*() {
      for (const leaf of snapshot.leaves ?? []) {
        const member = snapshot.members.get(leaf)
        if (leaf === from || member === undefined || statusOf(member.state) === "dead") continue
        yield* send(state, leaf, { _tag: "Push", records, hops: 1 })
      }
    })

  const push = (state: State, record: StoredRecord) =>
    Effect.flatMap(SubscriptionRef.get(view), (snapshot) =>
      spread(state, [record], hopLimit(ringMembers(snapshot).length), state.transport.self))

  const onPush = (state: State, from: string, records: ReadonlyArray<StoredRecord>, hops: number, until: string | undefined) =>
    Effect.gen(function*() {
      const fresh: Array<StoredRecord> = []
      for (const record of records) {
        if ((yield* state.store.merge(record)) === "applied") fresh.push(record)
      }
      if (fresh.length === 0) return
      const snapshot = yield* SubscriptionRef.get(view)
      // A leaf's write reaches the cluster through this node alone: it spreads it as its own,
      // over the whole ring, whatever range the leaf named.
      if (snapshot.leaves?.has(from) === true) {
        return yield* spread(state, fresh, hopLimit(ringMembers(snapshot).length), state.transport.self, from)
      }
      if (hops > 1 && until !== undefined) yield* spread(state, fresh, hops - 1, until, from)
      else yield* toLeaves(state, snapshot, fresh, from)
    })

  /**
   * The claims to have been sent whole ranges go, and so do others' tombstones: the origin
   * sends a template limited to other zones as a tombstone of its version, which would shadow
   * the template itself once the leaf's zone changed. A reply to a digest sent before raises
   * none of them again: it starts from watermarks no longer held (`Delta.after`). Records of
   * the new share are kept and not sent again; those outside it go, since the origin will
   * never send their changes or deletes: the accounts of a user it no longer serves above all.
   */
  const shareChanged = (state: State, leaf: StoredRecord) =>
    Effect.gen(function*() {
      const held = (yield* Effect.forEach(KnownKind.literals, (kind) => state.store.list(kind))).flat()
      const scope = ownScope(leaf, state.store.nodeId)
      const outside = scope === undefined ? [] : yield* outsideShare(scope, held, state.store.get)
      const forgotten = yield* state.store.forgetWatermarks(() => true)
      const dropped = yield* state.store.dropTombstones(() => true)
      const evicted = yield* state.store.evict(outside)
      yield* onEvent(GossipEvent.ShareChanged({ leaf: leaf.id, forgotten, dropped, evicted }))
    }).pipe(
      Effect.catchAll((error) => Effect.logWarning(`could not take leaf ${leaf.id}'s new share; it keeps what it holds: ${error.message}`))
    )

  return {
    init: (ctx) =>
      Effect.gen(function*() {
        const store = yield* Store
        yield* Scope.extend(
          store.listen((change) => {
            if (change.source === "local") ctx.self.unsafeTell({ _tag: "LocalWrite", record: change.record })
            else if (change.record.kind === leafKind && change.record.id === options.ownLeaf && !change.record.deleted) {
              ctx.self.unsafeTell({ _tag: "ShareChanged", leaf: change.record })
            }
          }),
          ctx.scope
        )
        const first = yield* Random.nextIntBetween(0, config.antiEntropyIntervalMs)
        const rounds = Effect.forever(
          Effect.zipRight(ctx.self.tell({ _tag: "Round" }), Effect.sleep(config.antiEntropyIntervalMs))
        )
        yield* Effect.forkIn(Effect.zipRight(Effect.sleep(first), rounds), ctx.scope)
        const transport = yield* Transport
        return {
          store,
          transport,
          spent: 0,
          summarizer: new Summarizer(),
          reported: new Set<string>(),
          refused: refusedRecordsCounter(transport.self)
        }
      }),
    receive: (state, command) => {
      switch (command._tag) {
        case "Round":
          return Effect.as(round(state), state)
        case "LocalWrite":
          return Effect.as(push(state, command.record), state)
        case "ShareChanged":
          return Effect.as(shareChanged(state, command.leaf), state)
        case "Received":
          return Effect.as(received(state, command.from, command.message), state)
      }
    }
  }
}
