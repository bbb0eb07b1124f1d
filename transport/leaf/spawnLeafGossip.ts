/**
 * Gossip as a leaf runs it under its node actor: the leaf link (its side of membership, with
 * the origin only) and the ordinary anti-entropy actor, which syncs with the members the
 * link puts in the view — the origin, while it is reachable. Frames from any other peer are
 * ignored; a frame that does not decode drops its sender.
 */
import { Effect } from "effect"
import type { ActorContext, ActorNameTaken, ActorRef, SupervisionPolicy } from "../../actors/runtime/index.ts"
import type { OriginLinkShape } from "../../actors/node/originLink.ts"
import type { Store } from "../../storage/store.ts"
import { type AntiEntropyCommand, antiEntropyBehaviour } from "../gossip/antiEntropy.actor.ts"
import { defaultGossipConfig, type GossipConfig } from "../gossip/gossip.config.ts"
import type { GossipEventSink } from "../gossip/gossip.events.ts"
import { routeFrames } from "../gossip/gossip.router.ts"
import type { MembershipView } from "../gossip/membershipView.ts"
import type { Transport } from "../transport.ts"
import { type LeafLinkCommand, leafLinkBehaviour } from "./leafLink.actor.ts"

export interface LeafGossipOptions {
  /** The leaf's name, as its credential gives it: its own leaf record tells it its share changed. */
  readonly name: string
  readonly config?: Partial<GossipConfig>
  /** The leaf's view: the leaf link writes it, anti-entropy reads it. */
  readonly view: MembershipView
  readonly isOrigin: (peer: string) => Effect.Effect<boolean>
  readonly originLink?: OriginLinkShape
  readonly onEvent?: GossipEventSink
  readonly supervision?: SupervisionPolicy
}

export interface LeafGossip {
  readonly link: ActorRef<LeafLinkCommand>
  readonly antiEntropy: ActorRef<AntiEntropyCommand>
}

export const spawnLeafGossip = <M>(
  ctx: ActorContext<M>,
  options: LeafGossipOptions
): Effect.Effect<LeafGossip, ActorNameTaken, Transport | Store> =>
  Effect.gen(function*() {
    const config: GossipConfig = { ...defaultGossipConfig, ...options.config }
    const onEvent = options.onEvent ?? (() => Effect.void)
    const supervision = options.supervision === undefined ? {} : { supervision: options.supervision }
    const link = yield* ctx.spawn(
      leafLinkBehaviour({
        config,
        view: options.view,
        onEvent,
        isOrigin: options.isOrigin,
        ...(options.originLink === undefined ? {} : { originLink: options.originLink })
      }),
      { name: "origin-link", ...supervision }
    )
    const antiEntropy = yield* ctx.spawn(antiEntropyBehaviour({ config, view: options.view, onEvent, ownLeaf: options.name }), {
      name: "anti-entropy",
      ...supervision
    })
    yield* routeFrames(ctx, {
      membership: link,
      antiEntropy,
      maxFrameBytes: config.maxFrameBytes,
      onEvent,
      accept: options.isOrigin
    })
    return { link, antiEntropy }
  })
