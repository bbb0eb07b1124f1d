/**
 * The services a node's users call (Spaces, Templates and the ClusterView they place with),
 * by the node's mode: a cluster node sees the cluster through membership gossip; a standalone
 * node, or a leaf (which places its spaces on itself), sees itself alone, and a leaf mirrors
 * its origin's templates without editing them. The server and the simulator both build
 * their nodes' services here.
 */
import { Layer } from "effect"
import type { NodeMode } from "../../storage/kinds/node.ts"
import type { Store } from "../../storage/store.ts"
import type { MembershipView } from "../../transport/gossip/membershipView.ts"
import { SpacesLive } from "../space/spaces.live.ts"
import type { Spaces } from "../space/spaces.ts"
import type { ClusterView } from "./clusterView.ts"
import { GossipClusterView } from "./clusterView.gossip.ts"
import { StandaloneClusterView } from "./clusterView.standalone.ts"
import { TemplatesLive } from "./templates.live.ts"
import type { Templates } from "./templates.ts"

export interface NodeServicesOptions {
  readonly zone: string
  readonly mode: NodeMode
  /** Membership's view; a cluster node has one. */
  readonly view?: MembershipView
  /** A leaf's origin, as its config names it. */
  readonly origin?: string
}

export const nodeServices = (options: NodeServicesOptions): Layer.Layer<Spaces | Templates | ClusterView, never, Store> => {
  const { mode, origin, view, zone } = options
  const cluster = view === undefined || origin !== undefined
    ? StandaloneClusterView.layer({ zone, mode })
    : GossipClusterView.layer({ view, mode })
  const templates = TemplatesLive.layer(origin === undefined ? {} : { readOnly: { origin } })
  return SpacesLive.pipe(Layer.provideMerge(templates), Layer.provideMerge(cluster))
}
