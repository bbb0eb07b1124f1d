import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import type { Scope } from "effect"
import { Context, Duration, Effect, ExecutionStrategy, Exit, Layer, Option, Schedule, Scope as ScopeModule, Stream, SubscriptionRef } from "effect"
import HyperDHT from "hyperdht"
import createTestnet from "hyperdht/testnet"
import Hyperswarm from "hyperswarm"
import Protomux from "protomux"
import { randomBytes } from "node:crypto"
import type { HyperswarmInfoShape, Rejection } from "../../transport/hyperswarm/hyperswarmInfo.ts"
import { helloMac } from "../../transport/hyperswarm/clusterAuth.ts"
import { encodeHello } from "../../transport/hyperswarm/hello.ts"
import { nodeIdOfKey } from "../../transport/hyperswarm/nodeIdentity.ts"
import { HyperswarmInfo } from "../../transport/hyperswarm/hyperswarmInfo.ts"
import type { HyperswarmTransportOptions } from "../../transport/hyperswarm/hyperswarmTransport.ts"
import { HyperswarmTransport } from "../../transport/hyperswarm/index.ts"
import type { Incoming, PeerEvent, TransportShape } from "../../transport/transport.ts"
import { Transport } from "../../transport/transport.ts"
import { PeerStreams, type PeerStreamsShape } from "../../transport/streams/peerStreams.ts"

/** A DHT of three nodes on loopback, shared by the tests of one file. */
export class Testnet extends Context.Tag("test/Testnet")<Testnet, { readonly bootstrap: ReadonlyArray<string> }>() {
  static readonly layer = Layer.scoped(
    Testnet,
    Effect.acquireRelease(
      Effect.promise(() => createTestnet(3, { host: "127.0.0.1" })),
      (testnet) => Effect.promise(() => testnet.destroy())
    ).pipe(Effect.map((testnet) => ({ bootstrap: testnet.bootstrap.map((node) => `${node.host}:${node.port}`) })))
  )
}

/** A running transport plus everything it has reported so far. */
export interface TestNode {
  readonly transport: TransportShape
  readonly info: HyperswarmInfoShape
  readonly streams: PeerStreamsShape
  readonly dataDir: string
  readonly events: SubscriptionRef.SubscriptionRef<ReadonlyArray<PeerEvent>>
  readonly received: SubscriptionRef.SubscriptionRef<ReadonlyArray<Incoming>>
  /** Closes this node alone, as a process exit would. */
  readonly stop: Effect.Effect<void>
}

const WAIT_LIMIT = Duration.seconds(10)

export const newClusterKey = (): Buffer => randomBytes(32)

export const makeDataDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "knot-transport-" })).pipe(
  Effect.provide(NodeContext.layer)
)

export const startNode = (
  options: Omit<HyperswarmTransportOptions, "bootstrap" | "dataDir"> & { readonly dataDir?: string }
): Effect.Effect<TestNode, unknown, Testnet | Scope.Scope> =>
  Effect.gen(function* () {
    const { bootstrap } = yield* Testnet
    const dataDir = options.dataDir ?? (yield* makeDataDir)
    const scope = yield* ScopeModule.fork(yield* Effect.scope, ExecutionStrategy.sequential)
    const context = yield* Layer.buildWithScope(
      HyperswarmTransport.layer({ ...options, dataDir, bootstrap }).pipe(Layer.provide(NodeContext.layer)),
      scope
    )
    const transport = Context.get(context, Transport)
    const info = Context.get(context, HyperswarmInfo)
    const streams = Context.get(context, PeerStreams)
    // Peers that dial a node before its first announce wait seconds for Hyperswarm's retry.
    // A node that does not discover (a leaf) never announces.
    if (options.discover !== false) yield* info.announcement.pipe(
      Effect.flatMap((announcement) => (announcement?.ok === true ? Effect.void : Effect.fail(new Error("not announced yet")))),
      Effect.retry(Schedule.spaced("10 millis")),
      Effect.timeoutFail({ duration: WAIT_LIMIT, onTimeout: () => new Error(`${transport.self} never announced on the DHT`) })
    )
    const events = yield* SubscriptionRef.make<ReadonlyArray<PeerEvent>>([])
    const received = yield* SubscriptionRef.make<ReadonlyArray<Incoming>>([])
    yield* transport.peerEvents.pipe(
      Stream.runForEach((event) => SubscriptionRef.update(events, (log) => [...log, event])),
      Effect.forkIn(scope)
    )
    yield* transport.incoming.pipe(
      Stream.runForEach((frame) => SubscriptionRef.update(received, (log) => [...log, frame])),
      Effect.forkIn(scope)
    )
    return {
      transport,
      info,
      streams,
      dataDir,
      events,
      received,
      stop: ScopeModule.close(scope, Exit.void)
    }
  })

/** Waits until `find` returns something for the log; fails naming `what` instead of hanging the suite. */
export const waitFor = <A, B>(
  log: SubscriptionRef.SubscriptionRef<ReadonlyArray<A>>,
  find: (log: ReadonlyArray<A>) => B | undefined,
  what: string
): Effect.Effect<B, Error> =>
  log.changes.pipe(
    Stream.map(find),
    Stream.filter((found): found is B => found !== undefined),
    Stream.runHead,
    Effect.flatMap(Option.match({ onNone: () => Effect.fail(new Error(`log ended before ${what}`)), onSome: Effect.succeed })),
    Effect.timeoutFail({ duration: WAIT_LIMIT, onTimeout: () => new Error(`timed out waiting for ${what}`) })
  )

export const upPeers = (events: ReadonlyArray<PeerEvent>): ReadonlySet<string> => {
  const up = new Set<string>()
  for (const event of events) {
    if (event._tag === "PeerUp") up.add(event.peer)
    else up.delete(event.peer)
  }
  return up
}

export const waitForPeers = (node: TestNode, peers: ReadonlyArray<string>) =>
  waitFor(
    node.events,
    (log) => (peers.every((peer) => upPeers(log).has(peer)) ? log : undefined),
    `${node.transport.self} to see ${peers.join(", ")} up`
  )

type PeerDown = Extract<PeerEvent, { readonly _tag: "PeerDown" }>

/** The first PeerDown of `peer` among the events logged from index `after` on. */
export const waitForPeerDown = (node: TestNode, peer: string, after = 0) =>
  waitFor(
    node.events,
    (log) => log.slice(after).find((event): event is PeerDown => event._tag === "PeerDown" && event.peer === peer),
    `${node.transport.self} to see ${peer} down`
  )

export const waitForFrame = (node: TestNode, from: string) =>
  waitFor(node.received, (log) => log.find((frame) => frame.from === from), `${node.transport.self} to receive a frame from ${from}`)

export const waitForRejection = (info: HyperswarmInfoShape, publicKey: string, what: string): Effect.Effect<Rejection, Error> =>
  info.rejections.pipe(
    Effect.map((rejections) => rejections.find((rejection) => rejection.publicKey === publicKey)),
    Effect.flatMap((found) => (found === undefined ? Effect.fail(new Error(what)) : Effect.succeed(found))),
    Effect.retry(Schedule.spaced("20 millis")),
    Effect.timeoutFail({ duration: WAIT_LIMIT, onTimeout: () => new Error(`timed out waiting for ${what}`) })
  )

/** What a hand-driven knot/1 client may do once its connection is open. */
export interface RawSession {
  readonly handshakeHash: Buffer
  readonly publicKey: Buffer
  readonly sendHello: (bytes: Uint8Array) => void
  readonly sendData: (bytes: Uint8Array) => void
  /** Stops the keepalives HyperDHT sends on an idle connection, as a frozen process would. */
  readonly stopKeepAlive: () => void
}

/**
 * The hello a member of the cluster holding `clusterKey` would send on this session, under the
 * id its key fixes unless `claimedId` claims another.
 */
export const signedHello = (clusterKey: Uint8Array, session: RawSession, claimedId?: string): Uint8Array =>
  encodeHello({
    v: 1,
    nodeId: claimedId ?? nodeIdOfKey(session.publicKey),
    publicKey: session.publicKey.toString("hex"),
    session: "00".repeat(16),
    mac: helloMac(clusterKey, session.handshakeHash, session.publicKey).toString("hex")
  })

/**
 * A peer that speaks knot/1 by hand, to break the protocol in ways a real transport never does.
 * Returns how many data messages it received and whether its connection has closed.
 */
export const startRawPeer = (target: Buffer, script: (session: RawSession) => void) =>
  Effect.gen(function* () {
    const { bootstrap } = yield* Testnet
    const state = { dataReceived: 0, closed: false }
    const swarm = yield* Effect.acquireRelease(
      Effect.sync(() => new Hyperswarm({ keyPair: HyperDHT.keyPair(), dht: new HyperDHT({ bootstrap, host: "127.0.0.1" }) })),
      (swarm) => Effect.promise(() => swarm.destroy())
    )
    swarm.on("connection", (conn) => {
      conn.on("error", () => undefined)
      conn.on("close", () => {
        state.closed = true
      })
      const channel = Protomux.from(conn).createChannel({ protocol: "knot/1" })
      if (channel === null) return
      const hello = channel.addMessage({ onmessage: () => undefined })
      const data = channel.addMessage({
        onmessage: () => {
          state.dataReceived++
        }
      })
      channel.open()
      void conn.opened.then((opened) => {
        if (!opened || conn.handshakeHash === null) return
        script({
          handshakeHash: conn.handshakeHash,
          publicKey: conn.publicKey,
          sendHello: (bytes) => hello.send(bytes),
          sendData: (bytes) => data.send(bytes),
          stopKeepAlive: () => conn.setKeepAlive(0)
        })
      })
    })
    swarm.joinPeer(target)
    return { publicKey: swarm.keyPair.publicKey.toString("hex"), nodeId: nodeIdOfKey(swarm.keyPair.publicKey), state }
  })
