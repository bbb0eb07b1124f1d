/**
 * Starts gossip under a node actor: the membership and anti-entropy actors as its supervised
 * children, and the router that reads the transport, decodes each frame and hands it to the
 * child it is for. A frame that does not decode drops its sender (the protocol is broken on
 * that link) and never reaches an actor. On a transport that holds a connection per peer, it
 * keeps the partial view's links connected and no others (viewLinks.ts).
 */
import { Effect } from "effect"
import type { ActorContext, ActorNameTaken, ActorRef, SupervisionPolicy } from "../../actors/runtime/index.ts"
import type { Store } from "../../storage/store.ts"
import { Transport } from "../transport.ts"
import { type AntiEntropyCommand, antiEntropyBehaviour } from "./antiEntropy.actor.ts"
import { defaultGossipConfig, type GossipConfig } from "./gossip.config.ts"
import type { GossipEventSink } from "./gossip.events.ts"
import { forEachPulled, routeFrames } from "./gossip.router.ts"
import { type MembershipCommand, membershipBehaviour } from "./membership.actor.ts"
import type { MembershipView } from "./membershipView.ts"
import type { LeafScope } from "./leafAuthority.ts"
import { keepViewLinked } from "./viewLinks.ts"

export interface GossipOptions {
  readonly config?: Partial<GossipConfig>
  /** The node's view of the cluster (makeMembershipView); membership writes it. */
  readonly view: MembershipView
  readonly onEvent?: GossipEventSink
  /** How the two children are restarted; the parent's policy when absent. */
  readonly supervision?: SupervisionPolicy
  /** On a node leaves link to: which peers are leaves, and what each may do. */
  readonly leafScope?: (peer: string) => Effect.Effect<LeafScope | undefined>
}

export interface Gossip {
  readonly membership: ActorRef<MembershipCommand>
  readonly antiEntropy: ActorRef<AntiEntropyCommand>
  readonly config: GossipConfig
}

export const spawnGossip = <M>(
  ctx: ActorContext<M>,
  options: GossipOptions
): Effect.Effect<Gossip, ActorNameTaken, Transport | Store> =>
  Effect.gen(function*() {
    const config: GossipConfig = { ...defaultGossipConfig, ...options.config }
    const onEvent = options.onEvent ?? (() => Effect.void)
    const supervision = options.supervision === undefined ? {} : { supervision: options.supervision }
    const leafScope = options.leafScope
    const isLeaf = leafScope === undefined
      ? {}
      : { isLeaf: (peer: string) => Effect.map(leafScope(peer), (scope) => scope !== undefined) }
    const membership = yield* ctx.spawn(membershipBehaviour({ config, view: options.view, onEvent, ...isLeaf }), {
      name: "membership",
      ...supervision
    })
    const antiEntropy = yield* ctx.spawn(
      antiEntropyBehaviour({
        config,
        view: options.view,
        onEvent,
        ...(options.leafScope === undefined ? {} : { leafScope: options.leafScope })
      }),
      { name: "anti-entropy", ...supervision }
    )
    yield* routeFrames(ctx, { membership, antiEntropy, maxFrameBytes: config.maxFrameBytes, onEvent })
    const transport = yield* Transport
    yield* forEachPulled(ctx, transport.peerEvents, (event) =>
      event._tag === "PeerUp" ? membership.tell({ _tag: "PeerUp", peer: event.peer }) : Effect.void)
    if (transport.keepLinks !== undefined) yield* Effect.forkIn(keepViewLinked(options.view, transport.keepLinks), ctx.scope)
    return { membership, antiEntropy, config }
  })
