import { Clock, Data, Duration, Effect, Either, Metric, Queue } from "effect"
import type Hyperswarm from "hyperswarm"
import Protomux from "protomux"
import type { FrameLimits } from "../codec/frame.ts"
import { decodeFrame } from "../codec/frame.ts"
import type { Incoming, PeerId } from "../transport.ts"
import { helloMac, macMatches } from "./clusterAuth.ts"
import type { Hello } from "./hello.ts"
import { decodeHello, decodeRefusal, encodeHello, encodeRefusal } from "./hello.ts"
import type { NodeKeyPair } from "./keyPair.ts"
import type { LeafGate, LeafIdentity } from "./leafGate.ts"
import type { Link, LinkRegistry } from "./linkRegistry.ts"
import { nodeIdOfKey } from "./nodeIdentity.ts"
import { makeStreamChannels } from "./streamChannels.ts"
import type { AcceptedStream } from "../streams/peerStreams.ts"

export const CHANNEL_PROTOCOL = "knot/1"

const REJECTION_LINGER = Duration.seconds(1)

/** What every connection of one transport shares. */
export interface ConnectionContext {
  readonly nodeId: PeerId
  readonly keyPair: NodeKeyPair
  readonly session: string
  /** What this node proves itself with: a cluster node holds the cluster key, a leaf its credential. */
  readonly proof: { readonly _tag: "Member"; readonly clusterKey: Uint8Array } | {
    readonly _tag: "Leaf"
    readonly identity: LeafIdentity
    /** The public keys (hex) of the origins it links to; any other peer is refused. */
    readonly origins: ReadonlySet<string>
  }
  /** On a cluster node: which leaves may link. Without it, every leaf's hello is refused. */
  readonly leafGate: LeafGate | undefined
  /** A peer told this node why it would not link, or why it closed the link. */
  readonly onRefused: (publicKey: string, reason: string) => Effect.Effect<void>
  readonly limits: FrameLimits
  readonly authTimeout: Duration.Duration
  readonly linkTimeout: Duration.Duration
  readonly registry: LinkRegistry
  readonly incoming: Queue.Enqueue<Incoming>
  /** Records and logs a connection refused before it became a link; `ban`: refuse the peer for a while. */
  readonly reject: (publicKey: string, reason: string, ban: boolean) => Effect.Effect<void>
  /** Counts an incoming connection that has not authenticated, until `done` runs. */
  readonly awaitingHello: () => { readonly done: () => void }
  /** Counts the bytes of every frame an authenticated peer sends (trafficMetrics.ts). */
  readonly frameBytesReceived: Metric.Metric.Counter<number>
  /** Receives each stream channel an authenticated peer opens. */
  readonly acceptStream: (accepted: AcceptedStream) => void
}

type Inbound =
  | { readonly _tag: "Hello"; readonly bytes: Uint8Array }
  | { readonly _tag: "Data"; readonly bytes: Uint8Array }
  | { readonly _tag: "Refusal"; readonly reason: string }
  | { readonly _tag: "Welcome" }
  | { readonly _tag: "Closed" }

class Rejected extends Data.TaggedError("Rejected")<{ readonly reason: string }> {}

/** The peer sent its reason for not linking with this node and closed. */
class RefusedByPeer extends Data.TaggedError("RefusedByPeer")<{ readonly reason: string }> {}

interface Verified {
  readonly hello: Hello
  readonly leaf: string | undefined
}

/** The connection ended before authentication: usually a duplicate Hyperswarm already resolved. */
class ClosedEarly extends Data.TaggedError("ClosedEarly")<{}> {}

/**
 * Serves one Hyperswarm connection for its whole life: the knot/1 channel, the hello exchange
 * that proves both ends hold the cluster key, then the frames of an authenticated link.
 * Nothing the peer sends reaches `incoming` before its hello has been verified.
 */
export const serveConnection = (conn: Hyperswarm.Connection, context: ConnectionContext): Effect.Effect<void> =>
  Effect.flatMap(Queue.unbounded<Inbound>(), (inbox) => {
    const remoteKey = conn.remotePublicKey.toString("hex")
    let closeReason: string | undefined
    const close = (reason: string) => {
      closeReason ??= reason
      conn.destroy()
    }
    conn.on("error", (error: Error) => {
      closeReason ??= error.message
    })
    conn.on("close", () => inbox.unsafeOffer({ _tag: "Closed" }))
    if (conn.destroyed) inbox.unsafeOffer({ _tag: "Closed" })

    const channel = Protomux.from(conn).createChannel({
      protocol: CHANNEL_PROTOCOL,
      onclose: () => close("peer closed the knot/1 channel")
    })
    if (channel === null) {
      close("a knot/1 channel is already open on this connection")
      return Effect.void
    }
    const streams = makeStreamChannels(Protomux.from(conn), context.acceptStream)
    // Message order is part of the protocol: type 0 is the hello, type 1 a data frame, type 2
    // the reason a peer gives before it closes, type 3 a cluster node's word that it admitted a
    // leaf (a leaf cannot verify the cluster's hello, so it waits for that instead).
    const helloMessage = channel.addMessage({ onmessage: (bytes) => inbox.unsafeOffer({ _tag: "Hello", bytes }) })
    const dataMessage = channel.addMessage({ onmessage: (bytes) => inbox.unsafeOffer({ _tag: "Data", bytes }) })
    const refusalMessage = channel.addMessage({
      onmessage: (bytes) => {
        const reason = decodeRefusal(bytes)
        // Ahead of the reset that follows it: the peer's reason is what the link ended for.
        closeReason = `the peer closed the link: ${reason}`
        inbox.unsafeOffer({ _tag: "Refusal", reason })
      }
    })
    const welcomeMessage = channel.addMessage({ onmessage: () => inbox.unsafeOffer({ _tag: "Welcome" }) })
    channel.open()
    /** Tells the peer why and ends the connection gracefully, so that the reason reaches it. */
    const refuse = (reason: string) => {
      closeReason ??= reason
      refusalMessage.send(encodeRefusal(reason))
      conn.end()
      setTimeout(() => conn.destroy(), Duration.toMillis(REJECTION_LINGER)).unref()
    }

    const awaitWelcome = Effect.flatMap(Queue.take(inbox), (next): Effect.Effect<void, Rejected | RefusedByPeer | ClosedEarly> => {
      switch (next._tag) {
        case "Welcome":
          return Effect.void
        case "Refusal":
          return Effect.fail(new RefusedByPeer({ reason: next.reason }))
        case "Closed":
          return Effect.fail(new ClosedEarly())
        default:
          return Effect.fail(new Rejected({ reason: "the origin sent something else before admitting this leaf" }))
      }
    })

    const authenticating = Effect.gen(function* () {
      const opened = yield* Effect.promise(() => conn.opened)
      const handshakeHash = conn.handshakeHash
      if (!opened || handshakeHash === null) return yield* new ClosedEarly()
      // HyperDHT makes both ends send a keepalive after 5 s without writes, so a peer silent
      // for longer is gone (crashed, cut off) even if no packet said so.
      conn.setTimeout(Duration.toMillis(context.linkTimeout))
      const ownKey = context.keyPair.publicKey
      const proof = context.proof
      const macKey = proof._tag === "Member" ? proof.clusterKey : proof.identity.verifier
      helloMessage.send(
        encodeHello({
          v: 1,
          nodeId: context.nodeId,
          publicKey: ownKey.toString("hex"),
          session: context.session,
          mac: helloMac(macKey, handshakeHash, ownKey).toString("hex"),
          ...(proof._tag === "Leaf" ? { leaf: proof.identity.name } : {})
        })
      )
      const first = yield* Queue.take(inbox)
      switch (first._tag) {
        case "Closed":
          return yield* new ClosedEarly()
        case "Data":
          return yield* new Rejected({ reason: "sent data before authenticating" })
        case "Refusal":
          return yield* new RefusedByPeer({ reason: first.reason })
        case "Welcome":
          return yield* new Rejected({ reason: "sent a welcome before its hello" })
        case "Hello": {
          const verified = yield* verifyHello(first.bytes, handshakeHash, remoteKey, context)
          if (verified.leaf !== undefined) welcomeMessage.send(new Uint8Array(0))
          if (proof._tag === "Leaf") yield* awaitWelcome
          return verified
        }
      }
    }).pipe(
      Effect.timeoutFail({
        duration: context.authTimeout,
        onTimeout: () => new Rejected({ reason: `sent no hello within ${Duration.format(context.authTimeout)}` })
      })
    )
    // Only connections peers open count: this node's own dials are never held back by them.
    const authenticate = Effect.acquireUseRelease(
      Effect.sync(() => (conn.isInitiator ? undefined : context.awaitingHello())),
      () => authenticating,
      (waiting) => Effect.sync(() => waiting?.done())
    )

    const relay = (link: Link): Effect.Effect<void> =>
      Effect.gen(function* () {
        while (true) {
          const next = yield* Queue.take(inbox)
          if (next._tag === "Closed") return
          if (next._tag === "Refusal") {
            yield* context.onRefused(remoteKey, next.reason)
            return close(next.reason)
          }
          if (next._tag === "Hello" || next._tag === "Welcome") {
            yield* Effect.logWarning(`peer ${link.peer} sent a second hello; closing its link`)
            return close("sent a second hello")
          }
          const decoded = decodeFrame(next.bytes, link.peer, context.limits)
          if (Either.isLeft(decoded)) {
            yield* Effect.logWarning(`dropping peer ${link.peer}: ${decoded.left.message}`)
            return close(decoded.left.message)
          }
          link.lastFrameAt = yield* Clock.currentTimeMillis
          yield* Metric.incrementBy(context.frameBytesReceived, next.bytes.byteLength)
          yield* Queue.offer(context.incoming, { from: link.peer, bytes: decoded.right })
        }
      })

    return authenticate.pipe(
      Effect.flatMap(({ hello, leaf }) =>
        Effect.gen(function* () {
          const ownKey = context.keyPair.publicKey.toString("hex")
          const link: Link = {
            peer: hello.nodeId,
            leaf,
            claim: { publicKey: remoteKey, session: hello.session, initiator: conn.isInitiator ? ownKey : remoteKey },
            dialedBy: conn.isInitiator ? "self" : "peer",
            connectedSince: yield* Clock.currentTimeMillis,
            lastFrameAt: undefined,
            send: (frame) => dataMessage.send(frame),
            close,
            refuse,
            streams: undefined
          }
          if ((yield* context.registry.admit(link)) === "duplicate") {
            return close("duplicate connection to the same peer")
          }
          // Only now: a channel opened by a peer that has not proven itself is never accepted.
          streams.admit({ peer: link.peer, leaf: link.leaf })
          link.streams = streams.channels
          yield* relay(link).pipe(
            Effect.ensuring(Effect.suspend(() => context.registry.release(link, closeReason ?? "connection closed")))
          )
        })
      ),
      Effect.catchTags({
        RefusedByPeer: ({ reason }) =>
          Effect.zipRight(
            context.reject(remoteKey, `refused by the peer: ${reason}`, false),
            Effect.zipRight(context.onRefused(remoteKey, reason), Effect.sync(() => close(reason)))
          ),
        Rejected: ({ reason }) =>
          context.reject(remoteKey, reason, true).pipe(
            // Told first, so that an honest peer refused (a revoked leaf) can say why.
            Effect.zipRight(Effect.sync(() => refusalMessage.send(encodeRefusal(reason)))),
            // Ending rather than destroying flushes our own hello, so a peer holding another
            // cluster key records the rejection too; one that keeps its end open is cut off.
            Effect.zipRight(
              Effect.sync(() => {
                closeReason ??= reason
                conn.end()
              })
            ),
            Effect.zipRight(
              Queue.take(inbox).pipe(
                Effect.repeat({ until: (next) => next._tag === "Closed" }),
                Effect.timeout(REJECTION_LINGER),
                Effect.ignore
              )
            )
          ),
        ClosedEarly: () => Effect.logDebug(`connection from ${remoteKey} closed before authenticating`)
      }),
      Effect.ensuring(Effect.sync(() => {
        streams.admit(undefined)
        conn.destroy()
      }))
    )
  })

const verifyHello = (
  bytes: Uint8Array,
  handshakeHash: Uint8Array,
  remoteKey: string,
  context: ConnectionContext
): Effect.Effect<Verified, Rejected> =>
  Either.match(decodeHello(bytes), {
    onLeft: (reason) => Effect.fail(new Rejected({ reason })),
    onRight: (hello) => {
      if (hello.publicKey !== remoteKey) {
        return Effect.fail(new Rejected({ reason: "hello names a public key other than the connection's" }))
      }
      if (hello.nodeId === context.nodeId) {
        return Effect.fail(new Rejected({ reason: `peer announces this node's own id ${context.nodeId}` }))
      }
      // Checked before the link registry sees it, so a false claim never displaces the real node's link.
      const ownId = nodeIdOfKey(Buffer.from(hello.publicKey, "hex"))
      if (hello.nodeId !== ownId) {
        return Effect.fail(new Rejected({ reason: `hello claims node id ${hello.nodeId}, but its key is node ${ownId}'s` }))
      }
      const proof = context.proof
      if (proof._tag === "Leaf") {
        // A leaf cannot check the cluster's MAC: the Noise handshake with the key it dialed is its proof.
        if (!proof.origins.has(remoteKey)) return Effect.fail(new Rejected({ reason: "a leaf links to its origin only" }))
        if (hello.leaf !== undefined) return Effect.fail(new Rejected({ reason: "a leaf does not link to another leaf" }))
        return Effect.succeed({ hello, leaf: undefined })
      }
      const macOk = (key: Uint8Array) =>
        macMatches(helloMac(key, handshakeHash, Buffer.from(hello.publicKey, "hex")), Buffer.from(hello.mac, "hex"))
      if (hello.leaf === undefined) {
        return macOk(proof.clusterKey)
          ? Effect.succeed({ hello, leaf: undefined })
          : Effect.fail(new Rejected({ reason: "hello is not signed with this cluster's key (wrong [cluster] key?)" }))
      }
      const name = hello.leaf
      const gate = context.leafGate
      if (gate === undefined) return Effect.fail(new Rejected({ reason: "this node takes no leaves" }))
      return Effect.flatMap(gate.admission(name, hello.nodeId), (admission) => {
        if (Either.isLeft(admission)) return Effect.fail(new Rejected({ reason: admission.left }))
        if (!macOk(admission.right.verifier)) {
          return Effect.fail(new Rejected({ reason: `hello is not signed with leaf ${name}'s credential` }))
        }
        return Effect.as(admission.right.admitted, { hello, leaf: name })
      })
    }
  })
