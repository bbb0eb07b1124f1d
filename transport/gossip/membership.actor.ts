/**
 * SWIM membership as an actor, over a partial view (overlay.ts): every member is known, but a
 * node talks to its links alone, O(log n) of them (all members in a small cluster). Each
 * period it probes one link (round robin over a shuffled list): a Ping, then, without an Ack
 * in time, PingReqs through `pingReqCount` others (links it shares with the target first);
 * still nothing by the next period and the member is suspected. A suspect that does not refute
 * within the suspicion timeout is declared dead and the death announced. Rumours ride on
 * every probe message. Lifeguard's local health stretches this node's own timing while its
 * probes fail, so that a slow or cut-off node accuses fewer healthy ones.
 *
 * Rumours carry news one member at a time; after a partition heals every member of each side
 * must refute its death to every member of the other, more news than rumours carry in time.
 * So every `membershipSyncEvery` periods (every period while the last swap found a
 * difference, and at once with a member heard from again first hand) a node swaps state with
 * a link push-pull, as memberlist does, in a summary of fixed size (memberBuckets.ts).
 *
 * A leaf linked to this node is a member that this node alone reaches: it is probed by this
 * node, on no ring, in no swap and in no rumour, so other cluster nodes neither draw links to
 * it nor probe it (they learn of it from this node's record, actors/node/linkedLeaves.ts).
 *
 * Handling a message is plain computation on the state, which collects what to send and what
 * to report; one effect at the end does the I/O. Every node runs this for every probe, so the
 * per-message cost is what bounds how many nodes one process can simulate.
 */
import { type Clock, Effect, Random, SubscriptionRef } from "effect"
import type { ActorContext, Behaviour } from "../../actors/runtime/index.ts"
import { Transport, type TransportShape } from "../transport.ts"
import { clusterScale, type GossipConfig } from "./gossip.config.ts"
import { GossipEvent, type GossipEventSink } from "./gossip.events.ts"
import { sendGossip } from "./gossip.send.ts"
import type { GossipMessage, MemberStatus, MemberUpdate, MembershipMessage } from "./gossip.wire.ts"
import { applyRumour, type Member, memberFromView, memberToView, newMember, rumourOf } from "./membership.rumours.ts"
import { lastContacts, type MembershipView } from "./membershipView.ts"
import { differingBuckets } from "./digestSummary.ts"
import { MemberBuckets } from "./memberBuckets.ts"
import { MemberViews } from "./memberViews.ts"
import { linksOf } from "./overlay.ts"
import { pickSome } from "./randomPick.ts"
import { RumourQueue } from "./rumourQueue.ts"
import { insertSorted } from "./sortedIds.ts"

export type MembershipCommand =
  | { readonly _tag: "ProbeTick" }
  /** The current probe's direct Ack is overdue. */
  | { readonly _tag: "ProbeTimeout" }
  | { readonly _tag: "Received"; readonly from: string; readonly message: MembershipMessage }
  /** The transport connected a peer: a member to probe from now on. */
  | { readonly _tag: "PeerUp"; readonly peer: string }

export interface MembershipOptions {
  readonly config: GossipConfig
  readonly view: MembershipView
  readonly onEvent: GossipEventSink
  /** On a node leaves link to: whether a peer is one of them. */
  readonly isLeaf?: (peer: string) => Effect.Effect<boolean>
}

interface Probe {
  readonly seq: number
  readonly target: string
  readonly sentAt: number
  acked: boolean
}

/** A PingReq this node is serving: the Ack of its own Ping goes back to `origin` as `originSeq`. */
interface Relay {
  readonly origin: string
  readonly originSeq: number
  readonly until: number
}

/**
 * What the actor shares with its ticker: the local health stretches the period, and the
 * ticker sends ProbeTimeout only while a probe waits for its Ack.
 */
interface Pacing {
  localHealth: number
  awaitingAck: boolean
}

/** The actor's private state; mutated in place, it never leaves the actor's fiber. */
interface State {
  readonly transport: TransportShape
  readonly clock: Clock.Clock
  /** Shared with the actor's ticker (see `Pacing`). */
  readonly pacing: Pacing
  incarnation: number
  /** Only ever changed through `setMember`, which keeps the indexes below in step. */
  readonly members: Map<string, Member>
  /** Each member as the view shows it, made once per change rather than once per publish. */
  readonly views: MemberViews
  readonly suspects: Set<string>
  readonly dead: Set<string>
  /** Every member ever heard of, in id order: the ring is its live part. */
  readonly known: Array<string>
  /** The live members and self, in id order; recomputed when `ringChanged`. */
  ring: Array<string>
  /** This node's links on the ring (overlay.ts): whom it probes, gossips with and announces to. */
  links: Array<string>
  linkSet: Set<string>
  /** A member joined the ring or left it since the links were drawn. */
  ringChanged: boolean
  /** What this node holds of each member and of itself, summarized for push-pull. */
  readonly buckets: MemberBuckets
  /** The last swap found a difference: swap again at the next period. */
  syncSoon: boolean
  /** Members to open a swap with once the message being handled is done. */
  syncWith: Array<string>
  /** This node's own leaves: its links, on no ring, in no swap and in no rumour. */
  readonly leaves: Set<string>
  /** Peers already asked whether they are leaves of this node. */
  readonly classified: Set<string>
  readonly rumours: RumourQueue
  seq: number
  probe: Probe | undefined
  /** Probe targets still to visit in this round of the shuffled list. */
  order: Array<string>
  readonly relays: Map<number, Relay>
  /** When each member last sent this node anything: a message from it proves it alive. */
  readonly lastHeard: Map<string, number>
  ticks: number
  /** What the message being handled produced, flushed when it is done. */
  outbox: Array<readonly [string, GossipMessage]>
  /** News too important to wait for piggybacking: deaths and this node's refutations. */
  announce: Array<MemberUpdate>
  events: Array<GossipEvent>
  viewChanged: boolean
}

export const membershipBehaviour = (
  options: MembershipOptions
): Behaviour<MembershipCommand, State, Transport> => {
  const { config, isLeaf, onEvent, view } = options

  const stretch = (pacing: Pacing, ms: number) => ms * (1 + pacing.localHealth)

  const worse = (state: State) => {
    state.pacing.localHealth = Math.min(config.maxLocalHealth, state.pacing.localHealth + 1)
  }

  /**
   * One fiber paces the protocol: the timeout, then the rest of the period, both stretched by
   * the local health at the time (a fiber per timer would cost more than the protocol itself).
   */
  const ticker = (ctx: ActorContext<MembershipCommand>, pacing: Pacing, firstMs: number) =>
    Effect.zipRight(
      Effect.sleep(firstMs),
      Effect.forever(
        Effect.gen(function*() {
          yield* ctx.self.tell({ _tag: "ProbeTick" })
          yield* Effect.sleep(stretch(pacing, config.probeTimeoutMs))
          if (pacing.awaitingAck) yield* ctx.self.tell({ _tag: "ProbeTimeout" })
          yield* Effect.sleep(stretch(pacing, config.probeIntervalMs - config.probeTimeoutMs))
        })
      )
    )

  /** Draws the links afresh from the ring if a member joined it or left it. */
  const refreshLinks = (state: State) => {
    if (!state.ringChanged) return
    state.ringChanged = false
    const self = state.transport.self
    const ring: Array<string> = []
    let placed = false
    for (const node of state.known) {
      if (!placed && node > self) {
        ring.push(self)
        placed = true
      }
      if (state.members.get(node)!.status !== "dead" && !state.leaves.has(node)) ring.push(node)
    }
    if (!placed) ring.push(self)
    state.ring = ring
    const links = linksOf(self, ring, config.fullMeshUpTo)
    for (const leaf of state.leaves) if (state.members.get(leaf)?.status !== "dead") links.push(leaf)
    if (links.length !== state.links.length || links.some((link) => !state.linkSet.has(link))) state.viewChanged = true
    state.links = links
    state.linkSet = new Set(links)
  }

  const isAlive = (state: State, node: string) => state.members.get(node)?.status === "alive"

  /** Up to `count` alive links but `except` and this node's leaves, drawn at random. */
  const someAlive = (state: State, count: number, except: string) =>
    Effect.suspend(() => {
      refreshLinks(state)
      return pickSome(
        state.links.filter((node) => node !== except && isAlive(state, node) && !state.leaves.has(node)),
        count
      )
    })

  /**
   * Finds out once whether `peer` is a leaf of this node; one that is leaves the ring (its
   * links change) and the swapped state.
   */
  const classify = (state: State, peer: string): Effect.Effect<void> => {
    if (isLeaf === undefined || state.classified.has(peer)) return Effect.void
    state.classified.add(peer)
    return Effect.map(isLeaf(peer), (leaf) => {
      if (!leaf) return
      state.leaves.add(peer)
      state.buckets.delete(peer)
      state.ringChanged = true
      state.viewChanged = true
    })
  }

  /**
   * Whom to ask to probe `target`: alive links of this node that are links of the target's
   * too (so they hold a link to it already), then, if too few, other alive links. None for a
   * leaf of this node: no other node holds a link to it.
   */
  const helpersFor = (state: State, target: string) =>
    Effect.gen(function*() {
      refreshLinks(state)
      if (state.leaves.has(target)) return []
      if (state.ring.length - 1 <= config.fullMeshUpTo) return yield* someAlive(state, config.pingReqCount, target)
      const theirs = new Set(linksOf(target, state.ring, config.fullMeshUpTo))
      const shared: Array<string> = []
      const others: Array<string> = []
      for (const node of state.links) {
        if (node === target || !isAlive(state, node) || state.leaves.has(node)) continue
        ;(theirs.has(node) ? shared : others).push(node)
      }
      const picked = yield* pickSome(shared, config.pingReqCount)
      if (picked.length === config.pingReqCount) return picked
      return [...picked, ...(yield* pickSome(others, config.pingReqCount - picked.length))]
    })

  /** Sends, reports and publishes what handling one command produced. */
  const flush = (state: State): Effect.Effect<void> =>
    Effect.suspend(() => {
      refreshLinks(state)
      for (const peer of state.syncWith) state.outbox.push([peer, { _tag: "MembershipSummary", buckets: [...state.buckets.summary()] }])
      state.syncWith = []
      if (state.announce.length > 0) {
        const updates = state.announce
        state.announce = []
        return Effect.flatMap(someAlive(state, config.fanout, state.transport.self), (peers) => {
          for (const peer of peers) state.outbox.push([peer, { _tag: "MembershipUpdates", updates }])
          return flush(state)
        })
      }
      const outbox = state.outbox
      const events = state.events
      const viewChanged = state.viewChanged
      state.outbox = []
      state.events = []
      state.viewChanged = false
      // Chains rather than Effect.forEach, which looks up request batching and the scope at
      // every call: the few sends and reports of one message cost two operations each.
      let sends: Effect.Effect<unknown> = Effect.void
      for (const [peer, message] of outbox) sends = Effect.zipRight(sends, sendGossip(state.transport, config, peer, message))
      let reports: Effect.Effect<void> = Effect.void
      for (const event of events) reports = Effect.zipRight(reports, onEvent(event))
      const publish = viewChanged
        ? SubscriptionRef.set(view, {
          self: state.transport.self,
          zone: config.zone,
          incarnation: state.incarnation,
          members: state.views.publish(),
          links: state.links,
          leaves: new Set(state.leaves)
        })
        : Effect.void
      return Effect.zipRight(sends, Effect.zipRight(reports, publish))
    })

  const retransmitLimit = (state: State) => config.retransmitMult * Math.ceil(Math.log2(state.members.size + 2))

  /** Our own alive rumour, the receiver's bad news about itself (so it can refute), then news. */
  const piggyback = (state: State, to: string): Array<MemberUpdate> => {
    const out: Array<MemberUpdate> = [
      { node: state.transport.self, zone: config.zone, status: "alive", incarnation: state.incarnation }
    ]
    const receiver = state.members.get(to)
    if (receiver !== undefined && receiver.status !== "alive") out.push(rumourOf(receiver))
    const count = Math.round(config.maxPiggyback * clusterScale(state.members.size + 1))
    for (const update of state.rumours.take(count, retransmitLimit(state), to)) out.push(update)
    return out
  }

  const setMember = (state: State, member: Member) => {
    const before = state.members.get(member.node)
    if (before === undefined) insertSorted(state.known, member.node)
    if (before === undefined || (before.status === "dead") !== (member.status === "dead")) state.ringChanged = true
    state.members.set(member.node, member)
    if (!state.leaves.has(member.node)) state.buckets.set(rumourOf(member))
    state.views.set(memberToView(member))
    if (member.status === "suspect") state.suspects.add(member.node)
    else state.suspects.delete(member.node)
    if (member.status === "dead") state.dead.add(member.node)
    else state.dead.delete(member.node)
  }

  const changeMember = (state: State, before: Member, after: Member) => {
    setMember(state, after)
    if (!state.leaves.has(after.node)) state.rumours.enqueue(rumourOf(after))
    state.viewChanged = true
    if (before.status !== after.status || before.incarnation !== after.incarnation) {
      state.events.push(GossipEvent.MemberChanged({
        member: after.node,
        from: before.status,
        to: after.status,
        incarnation: after.incarnation
      }))
    }
  }

  /**
   * Applies rumours heard from `from`. A member seen back alive first hand (its own word, in a
   * message from itself) is announced at once, as a death is: the good news must not spread
   * more slowly than the bad, or a healed partition lingers half dead.
   */
  const hear = (state: State, from: string, updates: ReadonlyArray<MemberUpdate>, now: number) => {
    const self = state.transport.self
    for (const update of updates) {
      if (update.node === self) {
        if (update.status !== "alive" && update.incarnation >= state.incarnation) {
          state.incarnation = update.incarnation + 1
          worse(state)
          const alive: MemberUpdate = { node: self, zone: config.zone, status: "alive", incarnation: state.incarnation }
          state.buckets.set(alive)
          state.rumours.enqueue(alive)
          state.announce.push(alive)
          state.events.push(GossipEvent.Refuted({ rumour: update.status, incarnation: state.incarnation }))
          state.viewChanged = true
        }
        continue
      }
      let known = state.members.get(update.node)
      if (known === undefined) {
        known = newMember(update.node, update.zone, now)
        setMember(state, known)
        state.viewChanged = true
      } else if (known.zone === "" && update.zone !== "") {
        known = { ...known, zone: update.zone }
        setMember(state, known)
        state.viewChanged = true
      }
      const next = applyRumour(known, update, now)
      if (next === undefined) continue
      changeMember(state, known, next)
      if (update.node === from && known.status !== "alive" && next.status === "alive" && !state.leaves.has(from)) {
        state.announce.push(update)
        state.syncWith.push(from)
      }
    }
  }

  /** This node's own finding about a member, at the member's current incarnation. */
  const accuse = (state: State, member: Member, status: MemberStatus, now: number): boolean => {
    const next = applyRumour(member, { ...rumourOf(member), status }, now)
    if (next === undefined) return false
    changeMember(state, member, next)
    return true
  }

  const nextTarget = (state: State) =>
    Effect.gen(function*() {
      refreshLinks(state)
      while (state.order.length > 0) {
        const candidate = state.order.pop()!
        if (state.linkSet.has(candidate)) return candidate
      }
      if (state.links.length === 0) return undefined
      state.order = [...(yield* Random.shuffle(state.links))]
      return state.order.pop()
    })

  const probeTick = (state: State) =>
    Effect.gen(function*() {
      const now = state.clock.unsafeCurrentTimeMillis()
      const finished = state.probe
      // A probe that went unanswered is no evidence against a member heard from since it was
      // sent (typically: the probe was lost in a partition that has healed meanwhile).
      const heardSince = finished !== undefined && (state.lastHeard.get(finished.target) ?? -1) >= finished.sentAt
      if (finished !== undefined && !finished.acked && !heardSince) {
        worse(state)
        const member = state.members.get(finished.target)
        if (member !== undefined && member.status === "alive" && accuse(state, member, "suspect", now)) {
          // Lifeguard's buddy system: the suspect hears of it at once, so it can refute in time.
          const suspected = state.members.get(member.node)!
          state.outbox.push([member.node, { _tag: "MembershipUpdates", updates: [rumourOf(suspected)] }])
        }
      }
      state.probe = undefined
      state.pacing.awaitingAck = false
      const suspicion = config.suspicionTimeoutMs * clusterScale(state.members.size + 1)
      for (const node of [...state.suspects]) {
        const member = state.members.get(node)!
        if (now - member.changedAt >= suspicion) {
          if (accuse(state, member, "dead", now) && !state.leaves.has(node)) {
            state.announce.push(rumourOf(state.members.get(member.node)!))
          }
        }
      }
      for (const [seq, relay] of state.relays) if (relay.until <= now) state.relays.delete(seq)

      const target = yield* nextTarget(state)
      if (target !== undefined) {
        const seq = ++state.seq
        state.probe = { seq, target, sentAt: now, acked: false }
        state.pacing.awaitingAck = true
        state.outbox.push([target, { _tag: "Ping", seq, updates: piggyback(state, target) }])
      }
      state.ticks++
      if (state.syncSoon || state.ticks % config.membershipSyncEvery === 0) {
        state.syncSoon = false
        const [peer] = yield* someAlive(state, 1, state.transport.self)
        if (peer !== undefined) state.syncWith.push(peer)
      }
      if (state.ticks % config.deadProbeEvery === 0) {
        if (state.dead.size > 0) {
          const ghost = [...state.dead][yield* Random.nextIntBetween(0, state.dead.size)]!
          state.outbox.push([ghost, { _tag: "Ping", seq: ++state.seq, updates: piggyback(state, ghost) }])
        }
      }
      yield* flush(state)
    })

  const probeTimeout = (state: State) =>
    Effect.gen(function*() {
      const probe = state.probe
      if (probe === undefined || probe.acked) return
      for (const helper of yield* helpersFor(state, probe.target)) {
        state.outbox.push([helper, {
          _tag: "PingReq",
          seq: probe.seq,
          target: probe.target,
          updates: piggyback(state, helper)
        }])
      }
      yield* flush(state)
    })

  /** Most entries a MembershipState carries (~55 bytes each); more wait for the next swap. */
  const maxSyncEntries = 512

  /**
   * Takes a peer's state of some members: as rumours, except that a death counts as a
   * suspicion of a member this node knows (memberlist's rule), so that the member still has
   * its chance to refute; this node's own entry refutes as a rumour does.
   */
  const hearState = (state: State, from: string, members: ReadonlyArray<MemberUpdate>, now: number) => {
    const self = state.transport.self
    hear(
      state,
      from,
      members.map((update) =>
        update.status === "dead" && update.node !== self && state.members.has(update.node)
          ? { ...update, status: "suspect" as const }
          : update
      ),
      now
    )
  }

  const onSyncSummary = (state: State, from: string, theirs: ReadonlyArray<string>) => {
    const differing = differingBuckets(state.buckets.summary(), theirs)
    if (differing.length === 0) return
    const { buckets, members } = state.buckets.entriesOf(differing, maxSyncEntries)
    state.outbox.push([from, { _tag: "MembershipState", members, buckets, reply: true }])
  }

  const onSyncState = (
    state: State,
    from: string,
    members: ReadonlyArray<MemberUpdate>,
    buckets: ReadonlyArray<number>,
    reply: boolean,
    now: number
  ) => {
    hearState(state, from, members, now)
    state.syncSoon = true
    if (!reply) return
    const theirs = new Map(members.map((update) => [update.node, update]))
    const differ = state.buckets.entriesOf(buckets, Number.POSITIVE_INFINITY).members.filter((mine) => {
      const held = theirs.get(mine.node)
      return held === undefined || held.status !== mine.status || held.incarnation !== mine.incarnation
    })
    if (differ.length > 0) {
      state.outbox.push([from, { _tag: "MembershipState", members: differ.slice(0, maxSyncEntries), buckets, reply: false }])
    }
  }

  const received = (state: State, from: string, message: MembershipMessage) =>
    state.classified.has(from) || isLeaf === undefined
      ? handle(state, from, message)
      : Effect.zipRight(classify(state, from), handle(state, from, message))

  const handle = (state: State, from: string, message: MembershipMessage) => Effect.suspend(() => {
    const now = state.clock.unsafeCurrentTimeMillis()
    state.lastHeard.set(from, now)
    if ("updates" in message) hear(state, from, message.updates, now)
    switch (message._tag) {
      case "Ping":
        state.outbox.push([from, { _tag: "Ack", seq: message.seq, updates: piggyback(state, from) }])
        break
      case "PingReq": {
        const seq = ++state.seq
        state.relays.set(seq, { origin: from, originSeq: message.seq, until: now + stretch(state.pacing, config.probeIntervalMs) })
        state.outbox.push([message.target, { _tag: "Ping", seq, updates: piggyback(state, message.target) }])
        break
      }
      case "Ack": {
        const relay = state.relays.get(message.seq)
        if (relay !== undefined) {
          state.relays.delete(message.seq)
          state.outbox.push([relay.origin, { _tag: "Ack", seq: relay.originSeq, updates: piggyback(state, relay.origin) }])
        } else if (state.probe !== undefined && state.probe.seq === message.seq && !state.probe.acked) {
          state.probe.acked = true
          state.pacing.awaitingAck = false
          state.pacing.localHealth = Math.max(0, state.pacing.localHealth - 1)
        }
        break
      }
      case "MembershipUpdates":
        break
      case "MembershipSummary":
        onSyncSummary(state, from, message.buckets)
        break
      case "MembershipState":
        onSyncState(state, from, message.members, message.buckets, message.reply, now)
        break
    }
    return flush(state)
  })

  return {
    init: (ctx) =>
      Effect.gen(function*() {
        const transport = yield* Transport
        const clock = yield* Effect.clock
        const now = clock.unsafeCurrentTimeMillis()
        const known = yield* SubscriptionRef.get(view)
        const state: State = {
          transport,
          clock,
          pacing: { localHealth: 0, awaitingAck: false },
          incarnation: known.incarnation,
          members: new Map(),
          views: new MemberViews(),
          suspects: new Set(),
          dead: new Set(),
          known: [],
          ring: [],
          links: [],
          linkSet: new Set(),
          ringChanged: true,
          buckets: new MemberBuckets(),
          syncSoon: false,
          syncWith: [],
          leaves: new Set(),
          classified: new Set(),
          rumours: new RumourQueue(),
          seq: 0,
          probe: undefined,
          order: [],
          relays: new Map(),
          lastHeard: lastContacts(view),
          ticks: 0,
          outbox: [],
          announce: [],
          events: [],
          viewChanged: true
        }
        state.buckets.set({ node: transport.self, zone: config.zone, status: "alive", incarnation: state.incarnation })
        for (const member of known.members.values()) setMember(state, memberFromView(member))
        for (const peer of yield* transport.connected) {
          if (peer === transport.self) continue
          yield* classify(state, peer)
          if (!state.members.has(peer)) setMember(state, newMember(peer, "", now))
        }
        yield* flush(state)
        const first = yield* Random.nextIntBetween(0, config.probeIntervalMs)
        yield* Effect.forkIn(ticker(ctx, state.pacing, first), ctx.scope)
        return state
      }),
    receive: (state, command) => {
      switch (command._tag) {
        case "ProbeTick":
          return Effect.as(probeTick(state), state)
        case "ProbeTimeout":
          return Effect.as(probeTimeout(state), state)
        case "Received":
          return Effect.as(received(state, command.from, command.message), state)
        case "PeerUp":
          return Effect.suspend(() => {
            if (command.peer === state.transport.self) return Effect.succeed(state)
            return Effect.zipRight(
              classify(state, command.peer),
              Effect.suspend(() => {
                if (state.members.has(command.peer)) return Effect.succeed(state)
                setMember(state, newMember(command.peer, "", state.clock.unsafeCurrentTimeMillis()))
                state.viewChanged = true
                return Effect.as(flush(state), state)
              })
            )
          })
      }
    }
  }
}

