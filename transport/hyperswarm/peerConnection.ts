import { Clock, Data, Duration, Effect, Either, Metric, Queue } from "effect"
import type Hyperswarm from "hyperswarm"
import Protomux from "protomux"
import type { FrameLimits } from "../codec/frame.ts"
import { decodeFrame } from "../codec/frame.ts"
import type { Incoming, PeerId } from "../transport.ts"
import { helloMac, macMatches } from "./clusterAuth.ts"
import type { Hello } from "./hello.ts"
import { decodeHello, encodeHello } from "./hello.ts"
import type { NodeKeyPair } from "./keyPair.ts"
import type { Link, LinkRegistry } from "./linkRegistry.ts"
import { nodeIdOfKey } from "./nodeIdentity.ts"

export const CHANNEL_PROTOCOL = "knot/1"

const REJECTION_LINGER = Duration.seconds(1)

/** What every connection of one transport shares. */
export interface ConnectionContext {
  readonly nodeId: PeerId
  readonly keyPair: NodeKeyPair
  readonly session: string
  readonly clusterKey: Uint8Array
  readonly limits: FrameLimits
  readonly authTimeout: Duration.Duration
  readonly linkTimeout: Duration.Duration
  readonly registry: LinkRegistry
  readonly incoming: Queue.Enqueue<Incoming>
  /** Records and logs a connection refused before it became a link. */
  readonly reject: (publicKey: string, reason: string) => Effect.Effect<void>
  /** Counts the bytes of every frame an authenticated peer sends (trafficMetrics.ts). */
  readonly frameBytesReceived: Metric.Metric.Counter<number>
}

type Inbound =
  | { readonly _tag: "Hello"; readonly bytes: Uint8Array }
  | { readonly _tag: "Data"; readonly bytes: Uint8Array }
  | { readonly _tag: "Closed" }

class Rejected extends Data.TaggedError("Rejected")<{ readonly reason: string }> {}

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
    // Message order is part of the protocol: type 0 is the hello, type 1 a data frame.
    const helloMessage = channel.addMessage({ onmessage: (bytes) => inbox.unsafeOffer({ _tag: "Hello", bytes }) })
    const dataMessage = channel.addMessage({ onmessage: (bytes) => inbox.unsafeOffer({ _tag: "Data", bytes }) })
    channel.open()

    const authenticate = Effect.gen(function* () {
      const opened = yield* Effect.promise(() => conn.opened)
      const handshakeHash = conn.handshakeHash
      if (!opened || handshakeHash === null) return yield* new ClosedEarly()
      // HyperDHT makes both ends send a keepalive after 5 s without writes, so a peer silent
      // for longer is gone (crashed, cut off) even if no packet said so.
      conn.setTimeout(Duration.toMillis(context.linkTimeout))
      const ownKey = context.keyPair.publicKey
      helloMessage.send(
        encodeHello({
          v: 1,
          nodeId: context.nodeId,
          publicKey: ownKey.toString("hex"),
          session: context.session,
          mac: helloMac(context.clusterKey, handshakeHash, ownKey).toString("hex")
        })
      )
      const first = yield* Queue.take(inbox)
      switch (first._tag) {
        case "Closed":
          return yield* new ClosedEarly()
        case "Data":
          return yield* new Rejected({ reason: "sent data before authenticating" })
        case "Hello":
          return yield* verifyHello(first.bytes, handshakeHash, remoteKey, context)
      }
    }).pipe(
      Effect.timeoutFail({
        duration: context.authTimeout,
        onTimeout: () => new Rejected({ reason: `sent no hello within ${Duration.format(context.authTimeout)}` })
      })
    )

    const relay = (link: Link): Effect.Effect<void> =>
      Effect.gen(function* () {
        while (true) {
          const next = yield* Queue.take(inbox)
          if (next._tag === "Closed") return
          if (next._tag === "Hello") {
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
      Effect.flatMap((hello) =>
        Effect.gen(function* () {
          const ownKey = context.keyPair.publicKey.toString("hex")
          const link: Link = {
            peer: hello.nodeId,
            claim: { publicKey: remoteKey, session: hello.session, initiator: conn.isInitiator ? ownKey : remoteKey },
            dialedBy: conn.isInitiator ? "self" : "peer",
            connectedSince: yield* Clock.currentTimeMillis,
            lastFrameAt: undefined,
            send: (frame) => dataMessage.send(frame),
            close
          }
          if ((yield* context.registry.admit(link)) === "duplicate") {
            return close("duplicate connection to the same peer")
          }
          yield* relay(link).pipe(
            Effect.ensuring(Effect.suspend(() => context.registry.release(link, closeReason ?? "connection closed")))
          )
        })
      ),
      Effect.catchTags({
        Rejected: ({ reason }) =>
          context.reject(remoteKey, reason).pipe(
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
      Effect.ensuring(Effect.sync(() => conn.destroy()))
    )
  })

const verifyHello = (
  bytes: Uint8Array,
  handshakeHash: Uint8Array,
  remoteKey: string,
  context: ConnectionContext
): Effect.Effect<Hello, Rejected> =>
  Either.match(decodeHello(bytes), {
    onLeft: (reason) => Effect.fail(new Rejected({ reason })),
    onRight: (hello) => {
      if (hello.publicKey !== remoteKey) {
        return Effect.fail(new Rejected({ reason: "hello names a public key other than the connection's" }))
      }
      const expected = helloMac(context.clusterKey, handshakeHash, Buffer.from(hello.publicKey, "hex"))
      if (!macMatches(expected, Buffer.from(hello.mac, "hex"))) {
        return Effect.fail(new Rejected({ reason: "hello is not signed with this cluster's key (wrong [cluster] key?)" }))
      }
      if (hello.nodeId === context.nodeId) {
        return Effect.fail(new Rejected({ reason: `peer announces this node's own id ${context.nodeId}` }))
      }
      // Checked before the link registry sees it, so a false claim never displaces the real node's link.
      const ownId = nodeIdOfKey(Buffer.from(hello.publicKey, "hex"))
      if (hello.nodeId !== ownId) {
        return Effect.fail(new Rejected({ reason: `hello claims node id ${hello.nodeId}, but its key is node ${ownId}'s` }))
      }
      return Effect.succeed(hello)
    }
  })
