/**
 * Hands each incoming frame to the actor it is for: membership messages to the membership
 * side (SWIM, or a leaf's origin link), the rest to anti-entropy. A frame that does not
 * decode drops its sender, since the protocol is broken on that link, and reaches no actor.
 */
import { type Chunk, Effect, Either, Option, Runtime, Scope, Stream } from "effect"
import type { ActorContext, ActorRef } from "../../actors/runtime/index.ts"
import { type Incoming, Transport } from "../transport.ts"
import { GossipEvent, type GossipEventSink } from "./gossip.events.ts"
import { type AntiEntropyMessage, decodeGossip, isMembershipMessage, type MembershipMessage } from "./gossip.wire.ts"

type Received<Message> = { readonly _tag: "Received"; readonly from: string; readonly message: Message }

export interface GossipRoutes {
  readonly membership: ActorRef<Received<MembershipMessage>>
  readonly antiEntropy: ActorRef<Received<AntiEntropyMessage>>
  readonly maxFrameBytes: number
  readonly onEvent: GossipEventSink
  /** Frames from peers it refuses are ignored before decoding; default: every peer. */
  readonly accept?: (peer: string) => Effect.Effect<boolean>
}

/** Streams made by `pulledStream`, with the effect each one pulls its chunks with. */
const pulls = new WeakMap<Stream.Stream<unknown>, Effect.Effect<Chunk.Chunk<unknown>, unknown>>()

/**
 * The stream of the chunks `pull` gives, until it fails. `forEachPulled` runs `pull` itself,
 * without Stream's machinery, which costs more than routing a frame does: the simulated
 * network's inbox is one.
 */
export const pulledStream = <A>(pull: Effect.Effect<Chunk.Chunk<A>, unknown>): Stream.Stream<A> => {
  const stream = Stream.repeatEffectChunkOption(Effect.mapError(pull, () => Option.none()))
  pulls.set(stream, pull)
  return stream
}

/** Gives every item, as it comes, to `receive`, until the function it returns is called. */
export type Handover<A> = (receive: (item: A) => void) => () => void

/** Streams made by `handedOverStream`, with their handover. */
const handovers = new WeakMap<Stream.Stream<unknown>, Handover<unknown>>()

/**
 * Marks `stream` as one whose source can also give its items straight to a function as they
 * come, past any fiber: the router takes the simulated network's frames this way, one
 * scheduler task per frame fewer than pulling them in a fiber of its own.
 */
export const handedOverStream = <A>(stream: Stream.Stream<A>, handover: Handover<A>): Stream.Stream<A> => {
  handovers.set(stream, handover as Handover<unknown>)
  return stream
}

/** The handover of a stream made by `handedOverStream`; undefined for any other. */
export const handoverOf = <A>(stream: Stream.Stream<A>): Handover<A> | undefined =>
  handovers.get(stream) as Handover<A> | undefined

/**
 * Reads the stream chunk by chunk in a fiber of `ctx.scope` rather than with
 * `Stream.runForEach`: a frame costs a fifth as much, and starting and stopping the loop
 * less than half. The loop ends when the stream does.
 */
export const forEachPulled = <A, M>(ctx: ActorContext<M>, stream: Stream.Stream<A>, f: (a: A) => Effect.Effect<void>) => {
  const direct = pulls.get(stream) as Effect.Effect<Chunk.Chunk<A>, unknown> | undefined
  const pulled: Effect.Effect<Effect.Effect<Chunk.Chunk<A>, unknown>> = direct === undefined
    ? Scope.extend(Stream.toPull(stream), ctx.scope)
    : Effect.succeed(direct)
  return Effect.flatMap(pulled, (pull) => {
    // Pulls again as soon as a chunk is handled, without Effect.forever's yield between
    // turns (a task on the scheduler per frame): the fiber waits on the pull anyway, and
    // the runtime still yields to others every so many ops.
    const loop: Effect.Effect<void, unknown> = Effect.flatMap(pull, (chunk) =>
      Effect.zipRight(Effect.forEach(chunk, f, { discard: true }), loop))
    return Effect.forkIn(Effect.ignore(loop), ctx.scope)
  })
}

export const routeFrames = <M>(ctx: ActorContext<M>, routes: GossipRoutes) =>
  Effect.gen(function*() {
    const transport = yield* Transport
    const limits = { maxFrameBytes: routes.maxFrameBytes }
    const refuse = (from: string, reason: string) =>
      Effect.zipRight(transport.drop(from, reason), routes.onEvent(GossipEvent.PeerDropped({ peer: from, reason })))
    /** Hands the frame's message to the actor it is for; a frame that does not decode gives the reason to refuse its sender. */
    const route = ({ bytes, from }: Incoming): string | undefined => {
      const decoded = decodeGossip(bytes, from, limits)
      if (Either.isLeft(decoded)) return decoded.left.message
      const message = decoded.right
      if (isMembershipMessage(message)) routes.membership.unsafeTell({ _tag: "Received", from, message })
      else routes.antiEntropy.unsafeTell({ _tag: "Received", from, message })
      return undefined
    }
    const deliver = (frame: Incoming) =>
      Effect.suspend(() => {
        const refused = route(frame)
        return refused === undefined ? Effect.void : refuse(frame.from, refused)
      })
    const accept = routes.accept
    const handover = accept === undefined ? handoverOf(transport.incoming) : undefined
    if (handover !== undefined) {
      // Refusing a peer is rare and may wait: it runs in a fiber of its own.
      const runFork = Runtime.runFork(yield* Effect.runtime<never>())
      const detach = handover((frame) => {
        const refused = route(frame)
        if (refused !== undefined) runFork(refuse(frame.from, refused))
      })
      return yield* Scope.addFinalizer(ctx.scope, Effect.sync(detach))
    }
    yield* forEachPulled(
      ctx,
      transport.incoming,
      accept === undefined
        ? deliver
        : (frame: Incoming) => Effect.flatMap(accept(frame.from), (accepted) => (accepted ? deliver(frame) : Effect.void))
    )
  })
