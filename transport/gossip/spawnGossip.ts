/**
 * Starts gossip under a node actor: the membership and anti-entropy actors as its supervised
 * children, and the router that reads the transport, decodes each frame and hands it to the
 * child it is for. A frame that does not decode drops its sender (the protocol is broken on
 * that link) and never reaches an actor.
 */
import { Effect, Either, Scope, Stream } from "effect"
import type { ActorContext, ActorNameTaken, ActorRef, SupervisionPolicy } from "../../actors/runtime/index.ts"
import type { Store } from "../../storage/store.ts"
import { type Incoming, Transport } from "../transport.ts"
import { type AntiEntropyCommand, antiEntropyBehaviour } from "./antiEntropy.actor.ts"
import { defaultGossipConfig, type GossipConfig } from "./gossip.config.ts"
import { GossipEvent, type GossipEventSink } from "./gossip.events.ts"
import { decodeGossip, isMembershipMessage } from "./gossip.wire.ts"
import { type MembershipCommand, membershipBehaviour } from "./membership.actor.ts"
import type { MembershipView } from "./membershipView.ts"

export interface GossipOptions {
  readonly config?: Partial<GossipConfig>
  /** The node's view of the cluster (makeMembershipView); membership writes it. */
  readonly view: MembershipView
  readonly onEvent?: GossipEventSink
  /** How the two children are restarted; the parent's policy when absent. */
  readonly supervision?: SupervisionPolicy
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
    const membership = yield* ctx.spawn(membershipBehaviour({ config, view: options.view, onEvent }), {
      name: "membership",
      ...supervision
    })
    const antiEntropy = yield* ctx.spawn(antiEntropyBehaviour({ config, view: options.view, onEvent }), {
      name: "anti-entropy",
      ...supervision
    })
    const transport = yield* Transport
    const limits = { maxFrameBytes: config.maxFrameBytes }
    const deliver = ({ bytes, from }: Incoming) => {
      const decoded = decodeGossip(bytes, from, limits)
      if (Either.isLeft(decoded)) {
        const reason = decoded.left.message
        return Effect.zipRight(transport.drop(from, reason), onEvent(GossipEvent.PeerDropped({ peer: from, reason })))
      }
      const message = decoded.right
      return isMembershipMessage(message)
        ? membership.tell({ _tag: "Received", from, message })
        : antiEntropy.tell({ _tag: "Received", from, message })
    }
    // Both streams are pulled chunk by chunk rather than run with `Stream.runForEach`: a frame
    // costs a fifth as much, and starting and stopping the loop less than half.
    const forEachPulled = <A>(stream: Stream.Stream<A>, f: (a: A) => Effect.Effect<void>) =>
      Effect.flatMap(Scope.extend(Stream.toPull(stream), ctx.scope), (pull) =>
        Effect.forkIn(
          // The loop ends when the stream does.
          Effect.ignore(Effect.forever(Effect.flatMap(pull, (chunk) => Effect.forEach(chunk, f, { discard: true })))),
          ctx.scope
        ))
    yield* forEachPulled(transport.incoming, deliver)
    yield* forEachPulled(transport.peerEvents, (event) =>
      event._tag === "PeerUp" ? membership.tell({ _tag: "PeerUp", peer: event.peer }) : Effect.void)
    return { membership, antiEntropy, config }
  })
