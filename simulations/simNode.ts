/**
 * What runs on a simulated node: knot's own node actor (actors/node) with its gossip
 * children, and the domain services a user's requests go through. A cluster node runs
 * ordinary gossip and places spaces across the cluster; a leaf links to its origin alone,
 * places its spaces on itself and mirrors its origin's templates read-only, as a real leaf
 * does (cli/server/nodeRuntime.ts composes the same pieces over RocksDB and Hyperswarm).
 */
import { Duration, Effect, Layer, Schedule } from "effect"
import type { ClusterView } from "../actors/node/clusterView.ts"
import { GossipClusterView } from "../actors/node/clusterView.gossip.ts"
import { StandaloneClusterView } from "../actors/node/clusterView.standalone.ts"
import { nodeActor } from "../actors/node/node.actor.ts"
import { TemplatesLive } from "../actors/node/templates.live.ts"
import type { Templates } from "../actors/node/templates.ts"
import type { SpaceActorOptions } from "../actors/space/space.actor.ts"
import { SpacesLive } from "../actors/space/spaces.live.ts"
import type { Spaces } from "../actors/space/spaces.ts"
import { Store, type StoreShape } from "../storage/store.ts"
import type { GossipConfig } from "../transport/gossip/gossip.config.ts"
import type { GossipEventSink } from "../transport/gossip/gossip.events.ts"
import type { MembershipView } from "../transport/gossip/membershipView.ts"
import { spawnGossip } from "../transport/gossip/spawnGossip.ts"
import { spawnLeafGossip } from "../transport/leaf/spawnLeafGossip.ts"
import type { Transport } from "../transport/transport.ts"

export interface SimNodeRole {
  readonly id: string
  readonly zone: string
  /** Set on a leaf: the cluster node it links to. */
  readonly origin?: string
}

/**
 * Space actors at the simulator's pace: a run lasts tens of virtual seconds, so reconciles
 * and retries come within seconds rather than the minute a real node allows.
 */
export const simulatedSpaceOptions: SpaceActorOptions = {
  reconcileEvery: "2 seconds",
  retrySchedule: Schedule.exponential("250 millis", 2).pipe(
    Schedule.modifyDelay((delay) => Duration.min(delay, Duration.seconds(4))),
    Schedule.jittered
  ),
  stopTimeoutSeconds: 1
}

export interface SimNodeOptions {
  readonly role: SimNodeRole
  readonly view: MembershipView
  readonly onEvent: GossipEventSink
  readonly gossip: Partial<GossipConfig>
}

export const simNodeBehaviour = (options: SimNodeOptions) => {
  const { role, view, onEvent } = options
  const config = { ...options.gossip, zone: role.zone }
  const origin = role.origin
  return nodeActor<Transport | Store>({
    space: simulatedSpaceOptions,
    extraChildren: (ctx) =>
      origin === undefined
        ? spawnGossip(ctx, { view, onEvent, config })
        : spawnLeafGossip(ctx, { view, onEvent, config, isOrigin: (peer) => Effect.succeed(peer === origin) })
  })
}

/** The services a simulated node's users call, over the store of its current incarnation. */
export const simNodeServices = (
  role: SimNodeRole,
  view: MembershipView,
  store: StoreShape
): Layer.Layer<Spaces | Templates | ClusterView | Store> => {
  const cluster = role.origin === undefined
    ? GossipClusterView.layer({ view, mode: "cluster" })
    : StandaloneClusterView.layer({ zone: role.zone, mode: "leaf" })
  const templates = TemplatesLive.layer(role.origin === undefined ? {} : { readOnly: { origin: role.origin } })
  return SpacesLive.pipe(
    Layer.provideMerge(templates),
    Layer.provideMerge(cluster),
    Layer.provideMerge(Layer.succeed(Store, store))
  )
}
