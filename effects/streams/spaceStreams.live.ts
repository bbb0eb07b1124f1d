/**
 * The router of space streams, on every node. A stream opened here (an entry) is checked
 * against the caller, counted against the caller's limit, and either opened on this node's
 * engine (it owns the space) or carried to the owner over a peer channel: straight to it when
 * linked, else through the origin that links a leaf. Channels peers open arrive in `serve`:
 * each is checked again as if it were an entry, with a leaf's claims bounded by its authority,
 * and run here or carried one hop further.
 */
import { Clock, Context, Duration, Effect, Either, Exit, FiberSet, Layer, Option, Ref, Schedule, Schema, Scope, Stream } from "effect"
import type { SpaceView } from "../../actors/space/spaces.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import { Node } from "../../storage/kinds/node.ts"
import { Store } from "../../storage/store.ts"
import type { AcceptedStream, PeerStreamsShape } from "../../transport/streams/peerStreams.ts"
import { ContainerStreams } from "../container/containerStreams.ts"
import { Leaves } from "../http/auth/leaves.ts"
import { Users } from "../http/auth/users.ts"
import { awaitOpened, serveOn } from "./channelStream.ts"
import {
  OwnerUnreachable,
  SpaceNotRunning,
  StreamAborted,
  StreamFailed,
  StreamForbidden,
  StreamLimitReached,
  type StreamOpenError,
  StreamSpaceNotFound
} from "./spaceStreams.errors.ts"
import { type SpaceStream, type SpaceStreamsShape, type StreamCaller, SpaceStreams } from "./spaceStreams.ts"
import type { StreamRequest } from "./streamRequest.ts"
import { decodeOpen, encodeControl, encodeOpen, MAX_HOPS, type StreamOpen } from "./streamWire.ts"

export interface SpaceStreamsOptions {
  /** This node's id. */
  readonly self: string
  /** Streams one user may have open through this node at once. */
  readonly maxPerUser: number
  /** A stream with no byte either way for this long is closed. */
  readonly idleTimeout: Duration.DurationInput
  /** On a leaf: the node id of the origin it is linked to, if it is. */
  readonly origin?: Effect.Effect<string | undefined>
}

export const defaultStreamsOptions = { maxPerUser: 32, idleTimeout: Duration.hours(1) } as const

/** The router, and `attach`, which a node with peers calls once its transport is up. */
export interface SpaceStreamsRouter {
  readonly service: SpaceStreamsShape
  /** Carries streams over `peers` from now on, and serves the channels peers open, until the scope closes. */
  readonly attach: (peers: PeerStreamsShape) => Effect.Effect<void, never, Scope.Scope>
}

const labelOf = (view: SpaceView) => `${view.owner}/${view.name}`

const mayActFor = (caller: StreamCaller, owner: string) => caller.role === "admin" || caller.id === owner

export const makeSpaceStreams = (options: SpaceStreamsOptions) =>
  Effect.gen(function*() {
    const spaces = yield* Spaces
    const engine = yield* ContainerStreams
    const users = yield* Users
    const leaves = yield* Leaves
    const store = yield* Store
    const peersRef = yield* Ref.make<PeerStreamsShape | undefined>(undefined)
    const open = new Map<string, number>()
    const idleMs = Duration.toMillis(Duration.decode(options.idleTimeout))

    const viewOf = (space: string) =>
      spaces.get(space).pipe(
        Effect.catchTag("SpaceNotFound", () => Effect.fail(new StreamSpaceNotFound({ space }))),
        Effect.catchTags({
          StorageFailure: (error) => Effect.fail(new StreamFailed({ space, reason: error.message })),
          CorruptRecord: (error) => Effect.fail(new StreamFailed({ space, reason: error.message })),
          ClockDriftExceeded: (error) => Effect.fail(new StreamFailed({ space, reason: error.message }))
        })
      )

    /** What the space's state allows; checked at the entry for a quick answer and at the owner for the truth. */
    const ready = (view: SpaceView, request: StreamRequest): Effect.Effect<string, SpaceNotRunning> => {
      const needsRunning = request._tag !== "Logs"
      if (view.containerId === undefined || (needsRunning && view.observed !== "running")) {
        return Effect.fail(new SpaceNotRunning({ space: labelOf(view), observed: view.observed }))
      }
      return Effect.succeed(view.containerId)
    }

    const local = (view: SpaceView, request: StreamRequest) =>
      Effect.flatMap(ready(view, request), (containerId) =>
        engine.open(containerId, request).pipe(
          Effect.mapError((error) => new StreamFailed({ space: labelOf(view), reason: error.reason }))
        ))

    const originOf = (node: string) =>
      Effect.map(Effect.orElseSucceed(store.get("node", node), () => undefined), (record) => {
        if (record === undefined || record.deleted) return undefined
        const decoded = Schema.decodeUnknownEither(Node)(record.value)
        return Either.isRight(decoded) ? decoded.right.origin : undefined
      })

    /** The peer to hand a stream for `target` to: the target itself, or the node that links it to the cluster. */
    const nextHop = (peers: PeerStreamsShape, target: string) =>
      Effect.gen(function*() {
        if (yield* peers.reaches(target)) return target
        const origin = options.origin === undefined ? undefined : yield* options.origin
        if (origin !== undefined) return (yield* peers.reaches(origin)) ? origin : undefined
        const targetsOrigin = yield* originOf(target)
        return targetsOrigin !== undefined && (yield* peers.reaches(targetsOrigin)) ? targetsOrigin : undefined
      })

    const remote = (header: StreamOpen): Effect.Effect<SpaceStream, StreamOpenError, Scope.Scope> =>
      Effect.gen(function*() {
        const unreachable = (detail: string) => new OwnerUnreachable({ space: header.label, node: header.target, detail })
        if (header.hops >= MAX_HOPS) return yield* unreachable(`the stream crossed ${MAX_HOPS} nodes without reaching it`)
        const peers = yield* Ref.get(peersRef)
        if (peers === undefined) return yield* unreachable("this node has no peers")
        const hop = yield* nextHop(peers, header.target)
        if (hop === undefined) return yield* unreachable("no link to it or to the node it links through")
        const channel = yield* peers.open(hop, encodeOpen({ ...header, hops: header.hops + 1 })).pipe(
          Effect.mapError((error) => unreachable(error.reason))
        )
        return yield* awaitOpened(channel, { space: header.label, node: header.target })
      })

    const route = (header: StreamOpen, view: SpaceView) =>
      header.target === options.self ? local(view, header.request) : remote(header)

    const slot = (caller: StreamCaller) =>
      Effect.acquireRelease(
        Effect.suspend(() => {
          const count = open.get(caller.id) ?? 0
          if (count >= options.maxPerUser) {
            return Effect.fail(new StreamLimitReached({ user: caller.name, limit: options.maxPerUser }))
          }
          open.set(caller.id, count + 1)
          return Effect.void
        }),
        () =>
          Effect.sync(() => {
            const count = (open.get(caller.id) ?? 1) - 1
            if (count === 0) open.delete(caller.id)
            else open.set(caller.id, count)
          })
      )

    /** Ends a stream that carries nothing either way for `idleTimeout`. */
    const closingWhenIdle = (stream: SpaceStream) =>
      Effect.gen(function*() {
        const last = yield* Ref.make(yield* Clock.currentTimeMillis)
        const touch = Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.set(last, now))
        const idle = Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          return now - (yield* Ref.get(last)) >= idleMs
        }).pipe(
          Effect.repeat({ until: (isIdle) => isIdle, schedule: Schedule.spaced(Duration.millis(Math.max(50, Math.min(idleMs / 4, 30_000)))) }),
          Effect.zipRight(Effect.fail(new StreamAborted({ reason: `closed after ${Duration.format(Duration.millis(idleMs))} without input or output` })))
        )
        const wrapped: SpaceStream = {
          ...stream,
          output: stream.output.pipe(Stream.tap(() => touch), Stream.interruptWhen(idle)),
          write: (bytes) => Effect.zipRight(touch, stream.write(bytes))
        }
        return wrapped
      })

    const service: SpaceStreamsShape = {
      open: (caller, space, request) =>
        Effect.gen(function*() {
          const view = yield* viewOf(space)
          if (!mayActFor(caller, view.owner)) return yield* new StreamForbidden({ space: labelOf(view) })
          yield* slot(caller)
          yield* ready(view, request)
          const stream = yield* route(
            { v: 1, space: view.id, label: labelOf(view), target: view.node, caller, request, hops: 1 },
            view
          )
          return yield* closingWhenIdle(stream)
        })
    }

    /** What a peer's claim may do here: a leaf only for its own users, on their own spaces. */
    const authorize = (header: StreamOpen, leaf: string | undefined, view: SpaceView) =>
      Effect.gen(function*() {
        const forbidden = new StreamForbidden({ space: header.label })
        const known = yield* Effect.option(users.get(header.caller.id))
        if (Option.isSome(known) && known.value.disabled === true) return yield* forbidden
        if (leaf !== undefined) {
          const record = yield* Effect.option(leaves.get(leaf))
          const served = Option.isSome(record) && record.value.users.includes(header.caller.id)
          if (!served || header.caller.id !== view.owner) return yield* forbidden
          return
        }
        // A known user's role is this node's to say; a claim about one it does not know is the peer's word.
        const caller = Option.isSome(known) ? { ...header.caller, role: known.value.role } : header.caller
        if (!mayActFor(caller, view.owner)) return yield* forbidden
      })

    const serveAccepted = (accepted: AcceptedStream) =>
      Effect.gen(function*() {
        const { channel } = accepted
        const refuse = (error: StreamOpenError) =>
          Effect.zipRight(Effect.ignore(channel.sendControl(encodeControl({ _tag: "Refused", error }))), channel.close)
        const decoded = decodeOpen(accepted.header)
        if (Either.isLeft(decoded)) {
          yield* Effect.logWarning(`node ${channel.peer} opened a stream with an unreadable header: ${decoded.left}`)
          return yield* refuse(new StreamFailed({ space: "?", reason: "the stream's header did not decode" }))
        }
        const header = decoded.right
        const opened = yield* Effect.either(
          Effect.gen(function*() {
            const view = yield* viewOf(header.space)
            yield* authorize(header, channel.leaf, view)
            return yield* route(header, view)
          })
        )
        if (Either.isLeft(opened)) {
          if (opened.left._tag === "StreamForbidden") {
            yield* Effect.logWarning(
              `refused a stream from node ${channel.peer}${channel.leaf === undefined ? "" : ` (leaf ${channel.leaf})`} ` +
                `for ${header.caller.name} into ${header.label}`
            )
          }
          return yield* refuse(opened.left)
        }
        yield* serveOn(channel, opened.right)
      }).pipe(Scope.extend(accepted.scope), Effect.ensuring(Scope.close(accepted.scope, Exit.void)))

    const attach = (peers: PeerStreamsShape) =>
      Effect.gen(function*() {
        yield* Ref.set(peersRef, peers)
        yield* Effect.addFinalizer(() => Ref.set(peersRef, undefined))
        const serving = yield* FiberSet.make()
        yield* Stream.runForEach(peers.accepted, (accepted) => FiberSet.run(serving, serveAccepted(accepted))).pipe(
          Effect.forkScoped
        )
      })

    const router: SpaceStreamsRouter = { service: SpaceStreams.of(service), attach }
    return router
  })

/** Lets a node that builds its transport later hand the router its peers (SpaceStreamsRouter.attach). */
export class PeerStreamsAttach extends Context.Tag("knot/PeerStreamsAttach")<
  PeerStreamsAttach,
  SpaceStreamsRouter["attach"]
>() {}

/** The router as SpaceStreams; until `PeerStreamsAttach` gives it peers, every stream is this node's engine's. */
export const spaceStreamsLayer = (options: SpaceStreamsOptions) =>
  Layer.effectContext(
    Effect.map(makeSpaceStreams(options), (router) =>
      Context.make(SpaceStreams, router.service).pipe(Context.add(PeerStreamsAttach, router.attach)))
  )
