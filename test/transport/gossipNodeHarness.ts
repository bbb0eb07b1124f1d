/**
 * A cluster node cut down to what gossip over Hyperswarm needs, for tests and benches that run
 * many of them in one process: a real Hyperswarm transport on the loopback testnet, a memory
 * store holding the node's own record (with its public key, as a real node announces it), and
 * gossip's actors under a bare host actor.
 */
import { NodeContext } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { type Behaviour, makeActorSystem } from "../../actors/runtime/index.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import type { NodeId } from "../../storage/record.ts"
import { Store, type StoreShape } from "../../storage/store.ts"
import type { GossipConfig } from "../../transport/gossip/gossip.config.ts"
import { makeMembershipView, type MembershipView } from "../../transport/gossip/membershipView.ts"
import { spawnGossip } from "../../transport/gossip/spawnGossip.ts"
import { HyperswarmInfo, type HyperswarmInfoShape } from "../../transport/hyperswarm/hyperswarmInfo.ts"
import type { HyperswarmTransportOptions } from "../../transport/hyperswarm/hyperswarmTransport.ts"
import { HyperswarmTransport } from "../../transport/hyperswarm/index.ts"
import { PeerStreams, type PeerStreamsShape } from "../../transport/streams/peerStreams.ts"
import { Transport } from "../../transport/transport.ts"
import { makeDataDir, Testnet } from "./hyperswarmHarness.ts"

export interface GossipNode {
  readonly id: string
  readonly view: MembershipView
  readonly store: StoreShape
  readonly info: HyperswarmInfoShape
  readonly streams: PeerStreamsShape
}

export interface GossipNodeOptions {
  readonly clusterKey: Buffer
  readonly gossip?: Partial<GossipConfig>
  readonly keeperTimings?: HyperswarmTransportOptions["keeperTimings"]
}

export const startGossipNode = (options: GossipNodeOptions) =>
  Effect.gen(function*() {
    const { bootstrap } = yield* Testnet
    const dataDir = yield* makeDataDir
    const { clusterKey, keeperTimings } = options
    const network = yield* Layer.build(
      HyperswarmTransport.layer({ clusterKey, dataDir, bootstrap, ...(keeperTimings === undefined ? {} : { keeperTimings }) })
        .pipe(Layer.provide(NodeContext.layer))
    )
    const info = Context.get(network, HyperswarmInfo)
    const id = Context.get(network, Transport).self
    const { store } = yield* MemoryStore.make({ nodeId: id as NodeId, maxDriftMs: 60_000 })
    yield* store.put("node", id, { zone: "default", mode: "cluster", startedAt: Date.now(), publicKey: info.publicKey })
    const view = yield* makeMembershipView(id, "default")
    const system = yield* Effect.acquireRelease(makeActorSystem, (system) => system.shutdown)
    const host: Behaviour<never, unknown, Transport | Store> = {
      init: (ctx) => spawnGossip(ctx, { view, config: options.gossip ?? {} }),
      receive: (state) => Effect.succeed(state)
    }
    yield* system.spawn(host, { name: "node" }).pipe(Effect.provide(network), Effect.provideService(Store, store))
    return { id, view, store, info, streams: Context.get(network, PeerStreams) } satisfies GossipNode
  })
