/**
 * A leaf's side of membership. A leaf takes part in no SWIM of its own: it links to its
 * origin only, so its view of the cluster is that one member, present while the link is up,
 * and anti-entropy (which picks its partners from that view) syncs with the origin alone.
 * The origin runs ordinary SWIM and probes the leaf like any member; this actor answers its
 * Pings and refutes rumours of the leaf's failure, so that the origin keeps syncing with it.
 * Rumours about other members are not kept: the leaf cannot reach them.
 */
import { Clock, Effect, Stream, SubscriptionRef } from "effect"
import type { OriginLinkShape } from "../../actors/node/originLink.ts"
import type { Behaviour } from "../../actors/runtime/index.ts"
import { Transport, type TransportShape } from "../transport.ts"
import type { GossipConfig } from "../gossip/gossip.config.ts"
import { GossipEvent, type GossipEventSink } from "../gossip/gossip.events.ts"
import { sendGossip } from "../gossip/gossip.send.ts"
import type { MemberUpdate, MembershipMessage } from "../gossip/gossip.wire.ts"
import type { MembershipSnapshot, MembershipView } from "../gossip/membershipView.ts"

export type LeafLinkCommand =
  | { readonly _tag: "PeerUp"; readonly peer: string }
  | { readonly _tag: "PeerDown"; readonly peer: string }
  | { readonly _tag: "Received"; readonly from: string; readonly message: MembershipMessage }

export interface LeafLinkOptions {
  readonly config: GossipConfig
  readonly view: MembershipView
  readonly onEvent: GossipEventSink
  /** Whether a linked peer is this leaf's origin; any other link is closed. */
  readonly isOrigin: (peer: string) => Effect.Effect<boolean>
  /** Told when the origin links and when it is lost; absent in the simulator. */
  readonly originLink?: OriginLinkShape
}

interface State {
  readonly transport: TransportShape
  /** The origin's node id while it is linked. */
  origin: string | undefined
}

export const leafLinkBehaviour = (options: LeafLinkOptions): Behaviour<LeafLinkCommand, State, Transport> => {
  const { config, view, onEvent } = options

  const setOrigin = (origin: { readonly node: string; readonly zone: string } | undefined) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      SubscriptionRef.update(view, (snapshot): MembershipSnapshot => {
        const previous = origin === undefined ? undefined : snapshot.members.get(origin.node)
        const members = origin === undefined
          ? new Map()
          : new Map([[origin.node, {
            node: origin.node,
            zone: origin.zone === "" ? previous?.zone ?? "" : origin.zone,
            state: "alive" as const,
            incarnation: previous?.incarnation ?? 0,
            changedAt: previous?.changedAt ?? now
          }]])
        return { ...snapshot, members }
      }))

  const selfRumour = (snapshot: MembershipSnapshot): MemberUpdate => ({
    node: snapshot.self,
    zone: config.zone,
    status: "alive",
    incarnation: snapshot.incarnation
  })

  /** Raises this leaf's incarnation above any rumour of its failure; true when it did. */
  const refute = (updates: ReadonlyArray<MemberUpdate>) =>
    Effect.gen(function*() {
      const snapshot = yield* SubscriptionRef.get(view)
      const accusation = updates.find((update) =>
        update.node === snapshot.self && update.status !== "alive" && update.incarnation >= snapshot.incarnation
      )
      if (accusation === undefined) return false
      const incarnation = accusation.incarnation + 1
      yield* SubscriptionRef.set(view, { ...snapshot, incarnation })
      yield* onEvent(GossipEvent.Refuted({ rumour: accusation.status, incarnation }))
      return true
    })

  const originZone = (from: string, updates: ReadonlyArray<MemberUpdate>) =>
    updates.find((update) => update.node === from)?.zone ?? ""

  const received = (state: State, from: string, message: MembershipMessage) =>
    Effect.gen(function*() {
      // A leaf swaps no membership state: it knows its origin alone.
      if (from !== state.origin || !("updates" in message)) return
      const refuted = yield* refute(message.updates)
      const zone = originZone(from, message.updates)
      if (zone !== "") yield* setOrigin({ node: from, zone })
      const updates = [selfRumour(yield* SubscriptionRef.get(view))]
      if (message._tag === "Ping") {
        yield* sendGossip(state.transport, config, from, { _tag: "Ack", seq: message.seq, updates })
      } else if (refuted) {
        yield* sendGossip(state.transport, config, from, { _tag: "MembershipUpdates", updates })
      }
    })

  const peerUp = (state: State, peer: string) =>
    Effect.gen(function*() {
      if (!(yield* options.isOrigin(peer))) {
        yield* state.transport.drop(peer, "a leaf links to its origin only")
        return
      }
      state.origin = peer
      yield* setOrigin({ node: peer, zone: "" })
      if (options.originLink !== undefined) yield* options.originLink.linked(peer)
      yield* onEvent(GossipEvent.MemberChanged({ member: peer, from: "dead", to: "alive", incarnation: 0 }))
    })

  const peerDown = (state: State, peer: string) =>
    Effect.gen(function*() {
      if (peer !== state.origin) return
      state.origin = undefined
      yield* setOrigin(undefined)
      if (options.originLink !== undefined) yield* options.originLink.lost
      yield* onEvent(GossipEvent.MemberChanged({ member: peer, from: "alive", to: "dead", incarnation: 0 }))
    })

  return {
    init: (ctx) =>
      Effect.gen(function*() {
        const transport = yield* Transport
        // A (re)started actor starts unlinked: each subscription to the transport's events
        // begins with a PeerUp for every link that is up.
        yield* setOrigin(undefined)
        yield* Effect.forkIn(
          Stream.runForEach(transport.peerEvents, (event) => ctx.self.tell({ _tag: event._tag, peer: event.peer })),
          ctx.scope
        )
        return { transport, origin: undefined }
      }),
    receive: (state, command) => {
      switch (command._tag) {
        case "PeerUp":
          return Effect.as(peerUp(state, command.peer), state)
        case "PeerDown":
          return Effect.as(peerDown(state, command.peer), state)
        case "Received":
          return Effect.as(received(state, command.from, command.message), state)
      }
    }
  }
}
