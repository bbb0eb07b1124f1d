/**
 * What runs on a simulated node: knot's own node actor (actors/node) with its gossip
 * children, and the domain services a user's requests go through. A cluster node runs
 * ordinary gossip and places spaces across the cluster; a leaf links to its origin alone,
 * places its spaces on itself and mirrors its origin's templates read-only, as a real leaf
 * does: the services come from nodeServices, as on a real node (cli/server/nodeRuntime.ts).
 */
import { Context, Duration, Effect, Schedule, Scope } from "effect"
import type { ClusterView } from "../actors/node/clusterView.ts"
import { nodeActor } from "../actors/node/node.actor.ts"
import { makeNodeServices } from "../actors/node/nodeServices.ts"
import type { Templates } from "../actors/node/templates.ts"
import type { SpaceActorOptions } from "../actors/space/space.actor.ts"
import type { Spaces } from "../actors/space/spaces.ts"
import { Store, type StoreShape } from "../storage/store.ts"
import type { GossipConfig } from "../transport/gossip/gossip.config.ts"
import type { GossipEventSink } from "../transport/gossip/gossip.events.ts"
import type { LeafScope } from "../transport/gossip/leafAuthority.ts"
import type { MembershipView } from "../transport/gossip/membershipView.ts"
import { spawnGossip } from "../transport/gossip/spawnGossip.ts"
import { spawnLeafGossip } from "../transport/leaf/spawnLeafGossip.ts"
import type { Transport } from "../transport/transport.ts"
import type { SimNodeSpec } from "./faults.ts"

/**
 * Space actors at the simulator's pace: a run lasts tens of virtual seconds, so retries come
 * within seconds rather than the minute a real node allows. The periodic check keeps a real
 * node's period, longer than any run: what a space learns of its container, it learns from
 * the engine's events, as on a real node, and a lost event stream shows.
 */
export const simulatedSpaceOptions: SpaceActorOptions = {
  retrySchedule: Schedule.exponential("250 millis", 2).pipe(
    Schedule.modifyDelay((delay) => Duration.min(delay, Duration.seconds(4))),
    Schedule.jittered
  ),
  stopTimeoutSeconds: 1
}

export interface SimNodeOptions {
  readonly role: SimNodeSpec
  readonly view: MembershipView
  readonly onEvent: GossipEventSink
  readonly gossip: Partial<GossipConfig>
  /** On a cluster node: which peers are leaves and what each may do, as a real node reads its leaf records. */
  readonly leafScope: (peer: string) => Effect.Effect<LeafScope | undefined>
}

export const simNodeBehaviour = (options: SimNodeOptions) => {
  const { role, view, onEvent } = options
  const config = { ...options.gossip, zone: role.zone }
  const origin = role.origin
  return nodeActor<Transport | Store>({
    space: simulatedSpaceOptions,
    extraChildren: (ctx) =>
      origin === undefined
        ? spawnGossip(ctx, { view, onEvent, config, leafScope: options.leafScope })
        : spawnLeafGossip(ctx, {
          // Named as cluster.ts's leaf scopes name it, as `knot leaf add NAME` would.
          name: role.id,
          view,
          onEvent,
          config,
          isOrigin: (peer) => Effect.succeed(peer === origin)
        })
  })
}

/** The services a simulated node's users call, over the store of its current incarnation, made in `scope`. */
export const simNodeServices = (
  node: SimNodeSpec,
  view: MembershipView,
  store: StoreShape,
  scope: Scope.Scope
): Effect.Effect<Context.Context<Spaces | Templates | ClusterView | Store>> =>
  makeNodeServices({
    zone: node.zone,
    mode: node.origin === undefined ? "cluster" : "leaf",
    view,
    ...(node.origin === undefined ? {} : { origin: node.origin })
  }).pipe(
    Effect.map(Context.add(Store, store)),
    Effect.provideService(Store, store),
    Scope.extend(scope)
  )
