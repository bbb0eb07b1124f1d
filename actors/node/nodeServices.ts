/**
 * The services a node's users call (Spaces, Templates and the ClusterView they place with),
 * by the node's mode: a cluster node sees the cluster through membership gossip; a standalone
 * node, or a leaf (which places its spaces on itself), sees itself alone, and a leaf mirrors
 * its origin's templates without editing them. The server and the simulator both build
 * their nodes' services here.
 */
import { Context, Effect, Layer, type Scope } from "effect"
import type { NodeMode } from "../../storage/kinds/node.ts"
import type { Store } from "../../storage/store.ts"
import type { MembershipView } from "../../transport/gossip/membershipView.ts"
import { makeSpaces } from "../space/spaces.live.ts"
import { Spaces } from "../space/spaces.ts"
import { ClusterView } from "./clusterView.ts"
import { GossipClusterView } from "./clusterView.gossip.ts"
import { StandaloneClusterView } from "./clusterView.standalone.ts"
import { TemplatesLive } from "./templates.live.ts"
import { Templates } from "./templates.ts"

export interface NodeServicesOptions {
  readonly zone: string
  readonly mode: NodeMode
  /** Membership's view; a cluster node has one. */
  readonly view?: MembershipView
  /** A leaf's origin, as its config names it. */
  readonly origin?: string
}

/**
 * The three services, made in turn (cluster view, templates, spaces) in the caller's scope.
 * The simulator makes them at every node start without a layer: building layers (three
 * composed, or even one) cost several times what making the services does.
 */
export const makeNodeServices = (
  options: NodeServicesOptions
): Effect.Effect<Context.Context<Spaces | Templates | ClusterView>, never, Store | Scope.Scope> => {
  const { mode, origin, view, zone } = options
  const makeCluster = view === undefined || origin !== undefined
    ? StandaloneClusterView.make({ zone, mode })
    : GossipClusterView.make({ view, mode })
  const makeTemplates = TemplatesLive.make(origin === undefined ? {} : { readOnly: { origin } })
  return Effect.gen(function*() {
    const cluster = yield* makeCluster
    const templates = yield* makeTemplates
    const spaces = yield* makeSpaces.pipe(
      Effect.provideService(ClusterView, cluster),
      Effect.provideService(Templates, templates)
    )
    return Context.make(Spaces, spaces).pipe(
      Context.add(Templates, templates),
      Context.add(ClusterView, cluster)
    )
  })
}

export const nodeServices = (options: NodeServicesOptions): Layer.Layer<Spaces | Templates | ClusterView, never, Store> =>
  Layer.scopedContext(makeNodeServices(options))
