/**
 * The composition root of a node: from its config, the layers of the outside world (RocksDB,
 * the container engine, Hyperswarm in cluster mode), the domain services, the actor tree and
 * the HTTP API. Layers close in reverse: the API stops taking requests first, then the actors
 * stop (containers keep running), then the store is flushed and closed.
 */
import type { FileSystem, Path } from "@effect/platform"
import { HttpServer } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Clock, Console, Context, Duration, Effect, Exit, Layer, Schedule } from "effect"
import { ActorSystem, ActorSystemLive } from "../../actors/runtime/index.ts"
import { nodeActor, nodeActorName, nodeKind } from "../../actors/node/node.actor.ts"
import { nodeServices } from "../../actors/node/nodeServices.ts"
import type { NodeConfig } from "../../effects/config/nodeConfig.ts"
import { DockerDriver } from "../../effects/docker/dockerDriver.ts"
import { withCallTimings } from "../../effects/container/timedDriver.ts"
import { EngineHealth } from "../../effects/http/engineHealth.ts"
import { bootstrapAdmin, bootstrapMessage } from "../../effects/http/auth/bootstrapAdmin.ts"
import { SecureRandom } from "../../effects/http/auth/secureRandom.ts"
import { defaultDrainTimeout, makeApiServer } from "../../effects/http/apiServer.ts"
import { pruneAudit } from "../../effects/http/audit/auditLog.ts"
import { NodeKeyPairSource } from "../../effects/http/nodeKeyPairSource.ts"
import { defaultRequestLimits } from "../../effects/http/requestLimits.ts"
import { NodeId } from "../../storage/record.ts"
import { RocksStore } from "../../storage/rocksStore.ts"
import { Store } from "../../storage/store.ts"
import { HyperswarmInfo, HyperswarmTransport, loadOrCreateKeyPair, nodeIdOfKey } from "../../transport/hyperswarm/index.ts"
import type { HyperswarmInfoShape } from "../../transport/hyperswarm/hyperswarmInfo.ts"
import { OriginLinkLive, spawnLeafGossip } from "../../transport/leaf/index.ts"
import { OriginLink, type OriginLinkShape } from "../../actors/node/originLink.ts"
import { announceLinkedLeaves } from "../../actors/node/linkedLeaves.ts"
import { DockerStreams } from "../../effects/docker/dockerStreams.ts"
import { PeerStreamsAttach, spaceStreamsLayer } from "../../effects/streams/spaceStreams.live.ts"
import { PeerStreams } from "../../transport/streams/peerStreams.ts"
import type { Transport } from "../../transport/transport.ts"
import { makeMembershipView, type MembershipView } from "../../transport/gossip/membershipView.ts"
import { spawnGossip } from "../../transport/gossip/spawnGossip.ts"
import { GossipEvent } from "../../transport/gossip/gossip.events.ts"
import { AccountsLive } from "../../effects/http/auth/accounts.ts"
import { OwnLeafName } from "../../effects/http/auth/ownLeaf.ts"
import { makeLeafGate } from "./leafGate.live.ts"
import { makeLeafScopes } from "./leafScopes.live.ts"
import { claimMode, lockDataDir, ownerOnlyFiles, prepareDataDir } from "./dataDir.ts"
import { leafIdentity } from "./leafIdentity.ts"
import { parseListen } from "./listenAddress.ts"
import { loadOrCreateNodeId } from "./nodeId.ts"
import { runSshGateway } from "../../effects/ssh/runSshGateway.ts"
import { SshKeys } from "../../effects/ssh/sshKeys.ts"
import { SshListen } from "../../effects/ssh/sshListen.ts"
import { Users } from "../../effects/http/auth/users.ts"

/** Versions from a peer whose clock runs further ahead than this are refused. */
const maxClockDriftMs = 60_000

const engineNotice = (socket: string) =>
  Effect.gen(function* () {
    const health = yield* EngineHealth
    const engine = yield* health.check
    if (engine.status === "down") {
      yield* Console.error(
        `no container engine answers at ${socket} (${engine.reason}); the API stays up and spaces wait until one does`
      )
    }
  })

const announceSelf = (config: NodeConfig, publicKey: string | undefined) =>
  Effect.gen(function* () {
    const store = yield* Store
    const startedAt = yield* Clock.currentTimeMillis
    yield* store.put(nodeKind, store.nodeId, {
      zone: config.server.zone,
      mode: config.server.mode,
      startedAt,
      name: config.server.name,
      ...(publicKey === undefined ? {} : { publicKey })
    })
  })

/**
 * A leaf names its origin in its node record while linked, so that other cluster nodes know
 * which node carries streams to its spaces.
 */
const announceOrigin = (config: NodeConfig, originLink: OriginLinkShape) =>
  Effect.gen(function* () {
    const store = yield* Store
    let announced: string | undefined
    yield* Effect.repeat(
      Effect.gen(function* () {
        const status = yield* originLink.status
        const origin = status.state === "connected" ? status.node : undefined
        if (origin === undefined || origin === announced) return
        const current = yield* store.get(nodeKind, store.nodeId)
        const value = current === undefined || current.deleted ? {} : (current.value as object)
        yield* store.put(nodeKind, store.nodeId, { ...value, zone: config.server.zone, mode: config.server.mode, origin })
        announced = origin
      }).pipe(Effect.catchAll((error) => Effect.logWarning(`recording this leaf's origin: ${error.message}`))),
      Schedule.spaced("1 second")
    )
  })

const printBanner = (config: NodeConfig, nodeId: string) =>
  Effect.gen(function* () {
    const url = HttpServer.formatAddress((yield* HttpServer.HttpServer).address)
    const tree = yield* (yield* ActorSystem).tree
    yield* Console.log(
      `knot node ${nodeId} (${config.server.mode}, zone ${config.server.zone}) serving ${url}, data in ${config.server.dataDir}`
    )
    // Labelled and indented, so that it reads as the node's actors, not as stray log lines.
    yield* Console.log(["actors running:", ...tree.split("\n").map((line) => `  ${line}`)].join("\n"))
  })

const printBootstrap = (config: NodeConfig, init: boolean) =>
  Effect.gen(function* () {
    const outcome = yield* bootstrapAdmin({ mayGenerate: config.server.mode === "standalone" || init })
    const url = HttpServer.formatAddress((yield* HttpServer.HttpServer).address)
    const message = bootstrapMessage(outcome, url)
    if (message !== undefined) yield* Console.log(message)
  })

/** Whether the peer's link is to the public key `origin` (hex). */
const isLinkedTo = (info: HyperswarmInfoShape, origin: string) => (peer: string) =>
  Effect.map(info.links, (links) => links.some((link) => link.peer === peer && link.publicKey === origin))

/** How long audit entries are kept: then every node drops them from its store. */
const auditRetention = Duration.days(30)

/** Runs a node until interrupted (SIGINT/SIGTERM through the CLI's runtime). */
export interface RunOptions {
  /** `knot server --init`: this node starts a new cluster, and may mint its first admin. */
  readonly init: boolean
  /** `knot server --force`: the data directory may change mode (standalone, cluster, leaf). */
  readonly force?: boolean
}

export const runNode = (config: NodeConfig, options: RunOptions = { init: false }) =>
  Effect.scoped(Effect.gen(function* () {
    const listen = yield* parseListen(config.server.listen)
    yield* ownerOnlyFiles
    yield* prepareDataDir(config.server.dataDir)
    yield* lockDataDir(config.server.dataDir)
    yield* claimMode(config.server.dataDir, config.server.mode, options.force === true)
    // A node with a network has its id fixed by its key; a standalone node has no key to bind it to.
    const publicKey = config.server.mode === "standalone"
      ? undefined
      : (yield* loadOrCreateKeyPair(config.server.dataDir)).publicKey
    const ofKey = publicKey === undefined ? undefined : nodeIdOfKey(publicKey)
    const nodeId = yield* loadOrCreateNodeId(config.server.dataDir, ofKey)
    const store = RocksStore.layer({ directory: `${config.server.dataDir}/db`, nodeId: NodeId.make(nodeId), maxDriftMs: maxClockDriftMs })
    const leaf = config.server.mode === "leaf" && config.leaf.credential !== undefined
      ? yield* leafIdentity(config.leaf.credential)
      : undefined
    // A leaf serves only the accounts its own leaf record names (effects/http/auth/ownLeaf.ts).
    const ownLeaf = leaf === undefined ? Layer.empty : Layer.succeed(OwnLeafName, leaf.name)
    const driver = withCallTimings(DockerDriver.layer({
      socketPath: config.docker.socket,
      agentSocketsDir: `${config.server.dataDir}/agent-sockets`
    }))
    const view: MembershipView | undefined =
      config.server.mode === "standalone" ? undefined : yield* makeMembershipView(nodeId, config.server.zone)

    const origin = config.server.mode === "leaf" ? config.leaf.origin : undefined
    const originLink = origin === undefined ? undefined : yield* OriginLinkLive.make({ origin })
    const domain = nodeServices({
      zone: config.server.zone,
      mode: config.server.mode,
      ...(view === undefined ? {} : { view }),
      ...(origin === undefined ? {} : { origin })
    }).pipe(Layer.merge(originLink === undefined ? Layer.empty : Layer.succeed(OriginLink, originLink)))

    // What a peer sent and this node refused belongs in the operator's log, with the peer's id.
    const logRefusals = (event: GossipEvent): Effect.Effect<void> =>
      GossipEvent.$match(event, {
        MemberChanged: () => Effect.void,
        Refuted: () => Effect.void,
        SyncRefused: (e) => Effect.logWarning(`refused records from peer ${e.peer}: ${e.reason}`),
        PeerDropped: (e) => Effect.logWarning(`dropped peer ${e.peer}: ${e.reason}`),
        RecordsRefused: (e) => Effect.logWarning(`refused ${e.kind} records from peer ${e.peer}: ${e.reason}`),
        ShareChanged: (e) =>
          Effect.logInfo(
            `leaf ${e.leaf}'s record on the cluster changed (added, or added again with other users or zone): ` +
              `asking its origin again for everything it serves` +
              (e.evicted === 0 ? "" : `, and removing ${e.evicted} records it no longer needs (of users it no longer serves, or templates of other zones)`)
          )
      })
    /** Set once the node serves: a node that failed to start did not stop. */
    let serving = false
    const spaceOptions = { reconcileEvery: Duration.seconds(config.docker.reconcileSeconds) }
    // Only a cluster node has a network; it is built in the program's scope so that it
    // closes before the actors that use it.
    const startActors = Effect.gen(function* () {
      const system = yield* ActorSystem
      if (view === undefined) {
        return yield* system.spawn(nodeActor({ space: spaceOptions }), { name: nodeActorName })
      }
      const proof = origin === undefined || leaf === undefined
        ? {
          clusterKey: Buffer.from(config.cluster.key ?? "", "hex"),
          leafGate: yield* makeLeafGate.pipe(Effect.provide(AccountsLive))
        }
        : {
          leaf,
          ...(originLink === undefined
            ? {}
            : { onRefused: (key: string, reason: string) => key === origin ? originLink.refused(reason) : Effect.void })
        }
      const network = yield* Layer.build(
        HyperswarmTransport.layer({
          ...proof,
          dataDir: config.server.dataDir,
          bootstrap: config.cluster.bootstrap,
          peers: (origin === undefined ? config.cluster.peers : [origin]).map((key) => Buffer.from(key, "hex")),
          host: config.cluster.host,
          discover: origin === undefined
        })
      )
      const leafScope = yield* makeLeafScopes(Context.get(network, HyperswarmInfo)).pipe(Effect.provide(AccountsLive))
      const node = origin === undefined || originLink === undefined || leaf === undefined
        ? nodeActor<Transport | Store>({
          space: spaceOptions,
          extraChildren: (ctx) =>
            spawnGossip(ctx, { view, config: { zone: config.server.zone }, onEvent: logRefusals, leafScope })
        })
        : nodeActor<Transport | Store>({
          space: spaceOptions,
          extraChildren: (ctx) =>
            spawnLeafGossip(ctx, {
              name: leaf.name,
              view,
              config: { zone: config.server.zone },
              originLink,
              onEvent: logRefusals,
              isOrigin: isLinkedTo(Context.get(network, HyperswarmInfo), origin)
            })
        })
      yield* (yield* PeerStreamsAttach)(Context.get(network, PeerStreams))
      return yield* system.spawn(node, { name: nodeActorName }).pipe(Effect.provide(network))
    })

    // The SSH gateway (effects/ssh): sessions into spaces through SpaceStreams, signed in by the keys on users' profiles.
    const sshGateway = config.ssh.listen === undefined
      ? Effect.void
      : runSshGateway({
        listen: config.ssh.listen,
        dataDir: config.server.dataDir,
        clusterKey: config.server.mode === "cluster" ? config.cluster.key : undefined
      }).pipe(Effect.provide(SshKeys.layer.pipe(Layer.provideMerge(Users.layer))))

    const program = Effect.gen(function* () {
      // A cluster node's peers dial it by its key once the cluster outgrows a full mesh.
      yield* announceSelf(config, config.server.mode === "cluster" ? publicKey?.toString("hex") : undefined)
      if (originLink !== undefined) yield* Effect.forkScoped(announceOrigin(config, originLink))
      if (config.server.mode === "cluster") yield* Effect.forkScoped(announceLinkedLeaves)
      yield* Effect.forkScoped(Effect.flatMap(Store, (store) => pruneAudit(store, auditRetention)))
      // A leaf's users and tokens are the cluster's, received from its origin.
      if (origin === undefined) yield* printBootstrap(config, options.init)
      yield* startActors
      yield* engineNotice(config.docker.socket)
      yield* sshGateway
      yield* printBanner(config, nodeId)
      serving = true
      // Run first as the node winds down (a scope's finalizers run last added, first run): a
      // person who pressed Ctrl-C sees at once that the node heard it.
      yield* Effect.addFinalizer((exit) =>
        Exit.isInterrupted(exit)
          ? Console.log(
            `stopping knot node ${nodeId}: finishing the requests in flight ` +
              `(for ${Duration.toSeconds(defaultDrainTimeout)} s at most) and flushing the store`
          )
          : Effect.void
      )
      return yield* Effect.never
    })

    const keyPairSource = Layer.succeed(NodeKeyPairSource, {
      read: config.server.mode === "standalone"
        ? Effect.succeed(undefined)
        : Effect.map(loadOrCreateKeyPair(config.server.dataDir).pipe(Effect.provide(NodeContext.layer), Effect.option), (pair) =>
          pair._tag === "None"
            ? undefined
            : { publicKey: pair.value.publicKey.toString("hex"), secretKey: pair.value.secretKey.toString("hex") })
    })
    // Streams into spaces: this node's engine for its own spaces, its peers (once the transport is up) for the rest.
    const streams = spaceStreamsLayer({
      self: nodeId,
      maxPerUser: config.streams.maxPerUser,
      idleTimeout: Duration.seconds(config.streams.idleTimeoutSeconds),
      ...(originLink === undefined
        ? {}
        : { origin: Effect.map(originLink.status, (status) => (status.state === "connected" ? status.node : undefined)) })
    }).pipe(Layer.provide(Layer.merge(DockerStreams.layer({ socketPath: config.docker.socket }), AccountsLive)))
    const services = streams.pipe(
      Layer.provideMerge(Layer.mergeAll(domain, EngineHealth.fromContainerDriver(), SecureRandom.live, ActorSystemLive, keyPairSource, SshListen.layer)),
      Layer.provideMerge(Layer.mergeAll(store, driver, ownLeaf))
    )
    const api = makeApiServer({ listen, limits: { ...defaultRequestLimits, maxBodyBytes: config.server.maxBodyBytes } })
    // Runs once the API, the actors and the store have closed: the node is down for good then.
    yield* Effect.addFinalizer((exit) =>
      serving && Exit.isInterrupted(exit)
        ? Console.log(`knot node ${nodeId} stopped; the containers of its spaces run on, and its next start adopts them`)
        : Effect.void
    )
    return yield* program.pipe(Effect.scoped, Effect.provide(api.pipe(Layer.provideMerge(services))))
  }))

export type RunNodeRequirements = FileSystem.FileSystem | Path.Path
