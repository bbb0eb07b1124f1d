/**
 * SWIM membership as an actor. Each period it probes one member (round robin over a shuffled
 * list): a Ping, then, without an Ack in time, PingReqs through `pingReqCount` others; still
 * nothing by the next period and the member is suspected. A suspect that does not refute
 * within the suspicion timeout is declared dead and the death announced. Rumours ride on
 * every probe message. Lifeguard's local health stretches this node's own timing while its
 * probes fail, so that a slow or cut-off node accuses fewer healthy ones.
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
import { lastContacts, type MembershipView, type MemberView } from "./membershipView.ts"
import { pickSome } from "./randomPick.ts"
import { RumourQueue } from "./rumourQueue.ts"

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
  readonly views: Map<string, MemberView>
  readonly suspects: Set<string>
  readonly dead: Set<string>
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
  const { config, onEvent, view } = options

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

  /** Up to `count` alive members but `except`, drawn at random. */
  const someAlive = (state: State, count: number, except: string) =>
    Effect.suspend(() => {
      const alive: Array<string> = []
      for (const member of state.members.values()) {
        if (member.status === "alive" && member.node !== except) alive.push(member.node)
      }
      return pickSome(alive, count)
    })

  /** Sends, reports and publishes what handling one command produced. */
  const flush = (state: State): Effect.Effect<void> =>
    Effect.suspend(() => {
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
      const sends = Effect.forEach(outbox, ([peer, message]) => sendGossip(state.transport, config, peer, message), {
        discard: true
      })
      const reports = events.length === 0 ? Effect.void : Effect.forEach(events, onEvent, { discard: true })
      const publish = viewChanged
        ? SubscriptionRef.set(view, {
          self: state.transport.self,
          zone: config.zone,
          incarnation: state.incarnation,
          members: new Map(state.views)
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
    state.members.set(member.node, member)
    state.views.set(member.node, memberToView(member))
    if (member.status === "suspect") state.suspects.add(member.node)
    else state.suspects.delete(member.node)
    if (member.status === "dead") state.dead.add(member.node)
    else state.dead.delete(member.node)
  }

  const changeMember = (state: State, before: Member, after: Member) => {
    setMember(state, after)
    state.rumours.enqueue(rumourOf(after))
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
      if (update.node === from && known.status !== "alive" && next.status === "alive") state.announce.push(update)
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
      while (state.order.length > 0) {
        const candidate = state.order.pop()!
        if (state.members.get(candidate)?.status !== "dead") return candidate
      }
      const live = [...state.members.values()].filter((member) => member.status !== "dead").map((m) => m.node)
      if (live.length === 0) return undefined
      state.order = [...(yield* Random.shuffle(live))]
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
          if (accuse(state, member, "dead", now)) state.announce.push(rumourOf(state.members.get(member.node)!))
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
      for (const helper of yield* someAlive(state, config.pingReqCount, probe.target)) {
        state.outbox.push([helper, {
          _tag: "PingReq",
          seq: probe.seq,
          target: probe.target,
          updates: piggyback(state, helper)
        }])
      }
      yield* flush(state)
    })

  const received = (state: State, from: string, message: MembershipMessage) => Effect.suspend(() => {
    const now = state.clock.unsafeCurrentTimeMillis()
    state.lastHeard.set(from, now)
    hear(state, from, message.updates, now)
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
          views: new Map(),
          suspects: new Set(),
          dead: new Set(),
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
        for (const member of known.members.values()) setMember(state, memberFromView(member))
        for (const peer of yield* transport.connected) {
          if (peer !== transport.self && !state.members.has(peer)) setMember(state, newMember(peer, "", now))
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
            if (command.peer === state.transport.self || state.members.has(command.peer)) return Effect.succeed(state)
            setMember(state, newMember(command.peer, "", state.clock.unsafeCurrentTimeMillis()))
            state.viewChanged = true
            return Effect.as(flush(state), state)
          })
      }
    }
  }
}
