import type { FileSystem, Path } from "@effect/platform"
import { randomBytes } from "node:crypto"
import { Clock, Context, Duration, Effect, Either, Exit, FiberSet, Layer, Metric, Queue, Schedule, Scope, Stream } from "effect"
import HyperDHT from "hyperdht"
import Hyperswarm from "hyperswarm"
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame } from "../codec/frame.ts"
import type { Incoming, PeerId, TransportShape } from "../transport.ts"
import { Transport } from "../transport.ts"
import type { TransportError } from "../transport.errors.ts"
import { TransportClosed } from "../transport.errors.ts"
import { CLUSTER_KEY_BYTES, clusterTopic } from "./clusterAuth.ts"
import { TransportStartFailed } from "./hyperswarm.errors.ts"
import type { KeyPairFileError } from "./hyperswarm.errors.ts"
import type { Announcement, HyperswarmInfoShape, Rejection } from "./hyperswarmInfo.ts"
import { HyperswarmInfo } from "./hyperswarmInfo.ts"
import { loadOrCreateKeyPair } from "./keyPair.ts"
import type { LeafGate, LeafIdentity } from "./leafGate.ts"
import { defaultKeeperTimings, type KeeperTimings, makeLinkKeeper } from "./linkKeeper.ts"
import { makeLinkRegistry } from "./linkRegistry.ts"
import { nodeIdOfKey } from "./nodeIdentity.ts"
import { serveConnection } from "./peerConnection.ts"
import { trafficMetrics } from "./trafficMetrics.ts"
import { type AcceptedStream, ChannelBroken, PeerStreams, type PeerStreamsShape } from "../streams/peerStreams.ts"

export interface HyperswarmTransportOptions {
  /** The 32-byte secret every node of the cluster holds (`[cluster] key`); a leaf has none. */
  readonly clusterKey?: Uint8Array
  /** Only on a leaf, instead of the cluster key: its credential, proven to the origins in `peers`. */
  readonly leaf?: LeafIdentity
  /** Only on a cluster node: which leaves may link (without it, none may). */
  readonly leafGate?: LeafGate
  /** A peer said why it refused or closed a link with this node (a revoked leaf hears it here). */
  readonly onRefused?: (publicKey: string, reason: string) => Effect.Effect<void>
  /** Holds the node's persistent key pair (`noise-keypair.json`). */
  readonly dataDir: string
  /** DHT nodes as `host:port`; at least one. */
  readonly bootstrap: ReadonlyArray<string>
  /** Public keys (32 bytes) dialed directly, besides those found on the cluster's topic. */
  readonly peers?: ReadonlyArray<Uint8Array>
  /**
   * Whether to announce and look up the cluster's topic. Default true. A leaf sets false: it
   * links to the `peers` it dials (its origin) and stays unknown to the rest of the cluster.
   */
  readonly discover?: boolean
  /** Address the DHT socket binds. Default 127.0.0.1: on a single machine, 0.0.0.0 delays meshing by many seconds. */
  readonly host?: string
  /** Largest frame sent or accepted; a peer that sends a larger one is dropped. Default 1 MiB. */
  readonly maxFrameBytes?: number
  /** How long a new connection has to prove the cluster key. Default 5 s. */
  readonly authTimeout?: Duration.DurationInput
  /**
   * A link that receives nothing for this long is closed (PeerDown). Peers send a keepalive
   * every 5 s, so keep it well above that. Default 15 s.
   */
  readonly linkTimeout?: Duration.DurationInput
  /**
   * Incoming connections that may wait for their hello at once; more are refused before their
   * handshake, so that strangers never fill the swarm's peer slots. Default 16.
   */
  readonly maxUnauthenticated?: number
  /** How long a peer that failed to authenticate is refused before its handshake. Default 1 minute. */
  readonly banFor?: Duration.DurationInput
  /** Frames waiting for the consumer of `incoming`; beyond it new frames are dropped, as on a congested network. Default 4096. */
  readonly incomingCapacity?: number
  /**
   * Under a partial view (linkKeeper.ts): how long a connection this node dialed stays open
   * once unwanted, how long a member dialed on demand stays wanted, and how long such a dial
   * has to connect (a stream waits as long for it). Default 15 s, 1 min and 10 s.
   */
  readonly keeperTimings?: KeeperTimings
}

/** secret-stream refuses messages of 16 MiB and more; leave room for protomux's header. */
const LARGEST_FRAME_LIMIT = 16 * 1024 * 1024 - 1024
const REJECTIONS_KEPT = 32
const DEFAULT_MAX_UNAUTHENTICATED = 16
const SESSION_BYTES = 16
/**
 * Re-lookups soon after start catch peers that announced while this node's first lookup was
 * in flight (nodes started together miss each other otherwise); later ones find restarted peers.
 */
const rediscovery = Schedule.union(Schedule.exponential("250 millis"), Schedule.spaced("30 seconds"))
/** Without a topic to look up, re-dialing the listed peers costs one attempt each: do it often. */
const redialOnly = Schedule.spaced("2 seconds")
const GRACEFUL_CLOSE = Duration.seconds(2)
/** Stream channels opened by peers and not yet taken by the node; beyond it they are refused. */
const STREAMS_WAITING = 64
/** How often connections are checked against the partial view. */
const SWEEP_EVERY = Duration.seconds(1)

const loopback = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/

const hostPort = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/

const validate = (options: HyperswarmTransportOptions): Either.Either<void, TransportStartFailed> => {
  const invalid = (reason: string) => Either.left(new TransportStartFailed({ reason }))
  if ((options.clusterKey === undefined) === (options.leaf === undefined)) {
    return invalid("a node proves itself with the cluster key or, on a leaf, a leaf credential: give exactly one")
  }
  if (options.clusterKey !== undefined && options.clusterKey.byteLength !== CLUSTER_KEY_BYTES) {
    return invalid(`the cluster key must be ${CLUSTER_KEY_BYTES} bytes (got ${options.clusterKey.byteLength})`)
  }
  if (options.leaf !== undefined && (options.discover !== false || (options.peers ?? []).length === 0)) {
    return invalid("a leaf links to the origins it dials only: give them in peers, with discover off")
  }
  const badPeer = (options.peers ?? []).find((key) => key.byteLength !== 32)
  if (badPeer !== undefined) return invalid(`a peer public key must be 32 bytes (got ${badPeer.byteLength})`)
  if (options.bootstrap.length === 0) {
    return invalid("no DHT bootstrap node: list at least one as host:port in [cluster] bootstrap")
  }
  const badBootstrap = options.bootstrap.find((entry) => {
    const port = hostPort.exec(entry)?.[1]
    return port === undefined || Number(port) < 1 || Number(port) > 65535
  })
  if (badBootstrap !== undefined) return invalid(`bootstrap entry ${JSON.stringify(badBootstrap)} is not host:port`)
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 2 || maxFrameBytes > LARGEST_FRAME_LIMIT) {
    return invalid(`the frame limit must be an integer from 2 to ${LARGEST_FRAME_LIMIT} bytes (got ${maxFrameBytes})`)
  }
  return Either.void
}

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const make = (options: HyperswarmTransportOptions) =>
  Effect.gen(function* () {
    yield* validate(options)
    const keyPair = yield* loadOrCreateKeyPair(options.dataDir)
    const publicKey = keyPair.publicKey.toString("hex")
    // Announced in the hello; peers check it against the key (nodeIdentity.ts).
    const nodeId: PeerId = nodeIdOfKey(keyPair.publicKey)
    // From the OS, not Effect's Random: it must differ across restarts of this process, which a
    // seeded generator would repeat.
    const session = randomBytes(SESSION_BYTES).toString("hex")
    const host = options.host ?? "127.0.0.1"
    const limits = { maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES }
    const traffic = trafficMetrics(nodeId)

    const incoming = yield* Effect.acquireRelease(Queue.dropping<Incoming>(options.incomingCapacity ?? 4096), Queue.shutdown)
    const registry = yield* makeLinkRegistry
    const acceptedStreams = yield* Effect.acquireRelease(Queue.dropping<AcceptedStream>(STREAMS_WAITING), Queue.shutdown)
    const rejections: Array<Rejection> = []
    const note = (rejection: Rejection) => {
      rejections.push(rejection)
      if (rejections.length > REJECTIONS_KEPT) rejections.shift()
    }
    const banMs = Duration.toMillis(Duration.decode(options.banFor ?? "1 minute"))
    const bans = new Map<string, number>()
    const reject = (peerKey: string, reason: string, ban: boolean) =>
      Effect.gen(function* () {
        const at = yield* Clock.currentTimeMillis
        note({ publicKey: peerKey, reason, at })
        if (ban) bans.set(peerKey, at + banMs)
        yield* Effect.logWarning(`rejected connection from ${peerKey}: ${reason}${ban ? `; refusing it for ${Duration.format(banMs)}` : ""}`)
      })
    const clock = yield* Effect.clock
    const maxUnauthenticated = options.maxUnauthenticated ?? DEFAULT_MAX_UNAUTHENTICATED
    let unauthenticated = 0
    const awaitingHello = () => {
      unauthenticated++
      let counted = true
      return {
        done: () => {
          if (counted) unauthenticated--
          counted = false
        }
      }
    }
    /**
     * Decides before the handshake, so a refused stranger costs a node no slot and no work.
     * Hyperswarm bans a peer for good once this refuses it; the ban is lifted when ours ends
     * (or at once for a refusal by the cap), so that a ban here always expires.
     */
    const firewall = (remotePublicKey: Buffer, payload: unknown): boolean => {
      const key = remotePublicKey.toString("hex")
      const now = clock.unsafeCurrentTimeMillis()
      const until = bans.get(key)
      if (until !== undefined && until > now) {
        liftSwarmBan(key, until - now)
        return true
      }
      if (until !== undefined) bans.delete(key)
      if (payload === null) {
        // This node's own dials never wait on strangers; under a partial view it dials its links
        // alone, not every peer the topic finds or Hyperswarm would redial.
        if (keeper.mayDial(key, now)) return false
        liftSwarmBan(key, 0)
        return true
      }
      if (unauthenticated < maxUnauthenticated) return false
      note({ publicKey: key, reason: `${maxUnauthenticated} connections are already waiting to authenticate`, at: now })
      liftSwarmBan(key, 0)
      return true
    }
    const keeperTimings = options.keeperTimings ?? defaultKeeperTimings
    const keeper = makeLinkKeeper({
      swarm: {
        joinPeer: (key) => swarmRef.current?.joinPeer(key),
        leavePeer: (key) => swarmRef.current?.leavePeer(key)
      },
      isLinked: (peer) => registry.get(peer) !== undefined,
      ...keeperTimings
    })
    const liftSwarmBan = (key: string, afterMs: number) => {
      setTimeout(() => swarmRef.current?.peers.get(key)?.ban(false), afterMs).unref()
    }
    const swarmRef: { current: Hyperswarm | undefined } = { current: undefined }

    const runFork = yield* FiberSet.makeRuntime<never>()
    let closed = false
    const swarm = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new Hyperswarm({
            keyPair,
            firewall,
            // Nothing firewalls loopback. Left "firewalled", a DHT node makes peers race a LAN
            // shortcut against a hole punch that the server aborts on an unsampled NAT, destroying
            // the stream the client already writes to: one-sided links, across processes, that
            // only end at the authentication timeout. Declared reachable, peers connect directly.
            dht: new HyperDHT({ bootstrap: options.bootstrap, host, ...(loopback.test(host) ? { firewalled: false } : {}) })
          })
      ),
      (swarm) =>
        Effect.sync(() => {
          closed = true
        }).pipe(
          Effect.zipRight(Effect.tryPromise(() => swarm.destroy())),
          Effect.timeout(GRACEFUL_CLOSE),
          // Unannouncing can stall on an unreachable DHT; leave without it.
          Effect.catchAll(() => Effect.tryPromise(() => swarm.destroy({ force: true }))),
          Effect.catchAll((error) => Effect.logWarning(`closing the cluster transport: ${describeError(error.error)}`))
        )
    )

    swarmRef.current = swarm
    yield* Effect.tryPromise({
      try: () => swarm.dht.bind(),
      catch: (error) => new TransportStartFailed({ reason: `the DHT socket cannot bind ${host}: ${describeError(error)}` })
    })

    const context = {
      nodeId,
      keyPair,
      session,
      proof: options.clusterKey !== undefined
        ? { _tag: "Member" as const, clusterKey: options.clusterKey }
        : {
          _tag: "Leaf" as const,
          identity: options.leaf!,
          origins: new Set((options.peers ?? []).map((key) => Buffer.from(key).toString("hex")))
        },
      leafGate: options.leafGate,
      onRefused: options.onRefused ?? (() => Effect.void),
      limits,
      authTimeout: Duration.decode(options.authTimeout ?? "5 seconds"),
      linkTimeout: Duration.decode(options.linkTimeout ?? "15 seconds"),
      registry,
      incoming,
      reject,
      awaitingHello,
      frameBytesReceived: traffic.frameBytesReceived,
      acceptStream: (accepted: AcceptedStream) => {
        if (!acceptedStreams.unsafeOffer(accepted)) Effect.runFork(Scope.close(accepted.scope, Exit.void))
      }
    }
    swarm.on("connection", (conn) => {
      runFork(serveConnection(conn, context).pipe(Effect.annotateLogs("node", nodeId)))
    })

    const discovery = options.discover === false || options.clusterKey === undefined
      ? undefined
      : swarm.join(clusterTopic(options.clusterKey), { server: true, client: true })
    if (options.leafGate !== undefined) {
      const closeRevoked = (name: string) =>
        Effect.gen(function* () {
          for (const info of yield* registry.infos) {
            if (info.leaf !== name) continue
            yield* Effect.logWarning(`closing leaf ${name}'s link (node ${info.peer}): its credential was revoked`)
            registry.get(info.peer)?.refuse(`leaf ${name}'s credential was revoked`)
          }
        })
      yield* Stream.runForEach(options.leafGate.revoked, closeRevoked).pipe(Effect.forkScoped)
    }
    const peers = options.peers ?? []
    for (const peer of peers) swarm.joinPeer(peer)
    let announcement: Announcement | undefined
    const announce = (what: string, run: () => Promise<boolean>) =>
      Effect.tryPromise(run).pipe(
        Effect.tapError((error) => Effect.logWarning(`cluster ${what} failed: ${describeError(error.error)}`)),
        Effect.orElseSucceed(() => false),
        Effect.flatMap((ok) =>
          Effect.map(Clock.currentTimeMillis, (at) => {
            announcement = { at, ok }
          })
        )
      )
    // Hyperswarm waits 10 minutes between dials of a listed peer after a few failures; a
    // listed peer that was down for a while is dialed again on the next tick instead.
    const redial = Effect.sync(() => {
      const now = clock.unsafeCurrentTimeMillis()
      for (const peer of peers) {
        if (keeper.mayDial(Buffer.from(peer).toString("hex"), now)) swarm.joinPeer(peer)
        else swarm.leavePeer(peer)
      }
    })
    const redialing: Effect.Effect<unknown> = discovery === undefined
      ? Effect.schedule(redial, redialOnly)
      : announce("discovery", () => discovery.flushed()).pipe(
        Effect.zipRight(
          Effect.schedule(Effect.zipRight(redial, announce("re-discovery", () => discovery.refresh())), rediscovery)
        )
      )
    yield* redialing.pipe(Effect.annotateLogs("node", nodeId), Effect.forkScoped)
    // udx keeps these counts natively: sampling them costs nothing per frame.
    const udx = swarm.dht.udx
    const sampleWire = Effect.suspend(() =>
      Effect.zipRight(Metric.set(traffic.wireBytesSent, udx.bytesTransmitted), Metric.set(traffic.wireBytesReceived, udx.bytesReceived))
    )
    yield* sampleWire.pipe(Effect.repeat(Schedule.spaced("1 second")), Effect.forkScoped)
    const sweep = Effect.sync(() =>
      keeper.sweep(
        Array.from(registry.links(), (link) => ({
          peer: link.peer,
          publicKey: link.claim.publicKey,
          dialedBy: link.dialedBy,
          leaf: link.leaf,
          activeStreams: () => link.streams?.active() ?? 0,
          close: link.close
        })),
        clock.unsafeCurrentTimeMillis()
      )
    )
    yield* sweep.pipe(Effect.repeat(Schedule.spaced(SWEEP_EVERY)), Effect.forkScoped)
    /** The link to `peer`, dialed now if it is a member outside the view. */
    const linkFor = (peer: PeerId) =>
      Effect.suspend(() => {
        if (registry.get(peer)?.streams !== undefined) return Effect.succeed(registry.get(peer))
        if (!keeper.demand(peer, clock.unsafeCurrentTimeMillis())) return Effect.succeed(undefined)
        return registry.events.pipe(
          Stream.filter((event) => event._tag === "PeerUp" && event.peer === peer),
          Stream.runHead,
          Effect.map(() => registry.get(peer)),
          Effect.timeout(Duration.millis(keeperTimings.dialWithinMs)),
          Effect.orElseSucceed(() => undefined)
        )
      })

    const transport: TransportShape = {
      self: nodeId,
      send: (peer, bytes) =>
        Effect.suspend((): Effect.Effect<void, TransportError> => {
          if (closed) return Effect.fail(new TransportClosed({ reason: "the node is shutting down" }))
          return Either.match(encodeFrame(bytes, nodeId, limits), {
            onLeft: Effect.fail,
            onRight: (frame) =>
              Effect.suspend(() => {
                const link = registry.get(peer)
                if (link === undefined) {
                  // Lost like any frame to an unlinked peer; a later one finds the link dialed now.
                  keeper.demand(peer, clock.unsafeCurrentTimeMillis())
                  return Effect.void
                }
                link.send(frame)
                return Metric.incrementBy(traffic.frameBytesSent, frame.byteLength)
              })
          })
        }),
      incoming: Stream.fromQueue(incoming),
      peerEvents: registry.events,
      connected: registry.peers,
      keepLinks: (wanted, keys) => Effect.sync(() => keeper.keep(wanted, keys, clock.unsafeCurrentTimeMillis())),
      drop: (peer, reason) =>
        Effect.gen(function* () {
          const link = registry.get(peer)
          if (link === undefined) return
          yield* Effect.logWarning(`dropping peer ${peer}: ${reason}`)
          link.refuse(reason)
        })
    }
    const info: HyperswarmInfoShape = {
      publicKey,
      announcement: Effect.sync(() => announcement),
      links: registry.infos,
      rejections: Effect.sync(() => rejections.slice()),
      awaitingHello: Effect.sync(() => unauthenticated),
      banned: Effect.sync(() => {
        const now = clock.unsafeCurrentTimeMillis()
        for (const [key, until] of bans) if (until <= now) bans.delete(key)
        return [...bans].map(([publicKey, until]) => ({ publicKey, until }))
      })
    }
    const streams: PeerStreamsShape = {
      open: (peer, header) =>
        Effect.flatMap(linkFor(peer), (link) =>
          link?.streams === undefined
            ? Effect.fail(new ChannelBroken({ reason: `no link to node ${peer}` }))
            : link.streams.open(header)),
      accepted: Stream.fromQueue(acceptedStreams),
      reaches: (peer) => Effect.sync(() => registry.get(peer)?.streams !== undefined || keeper.dialable(peer))
    }
    return Context.make(Transport, transport).pipe(Context.add(HyperswarmInfo, info), Context.add(PeerStreams, streams))
  })

/**
 * The cluster's real network: nodes find each other on a DHT topic derived from the cluster
 * key (and dial `peers` directly), prove the key to each other over Noise, and keep one link
 * per peer. Closing the layer's scope leaves the topic and closes every connection.
 */
export const layer = (
  options: HyperswarmTransportOptions
): Layer.Layer<Transport | HyperswarmInfo | PeerStreams, TransportStartFailed | KeyPairFileError, FileSystem.FileSystem | Path.Path> =>
  Layer.scopedContext(make(options))
