import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { ClusterView } from "../../../actors/node/clusterView.ts"
import { KnotApi } from "../api.ts"
import { BadRequest, Conflict } from "../api.errors.ts"
import { requireAdmin } from "../auth/access.ts"
import { Leaves } from "../auth/leaves.ts"
import { leafNameTaken, leafNotFound, leafRevoked, storeErrors, userNotFound } from "../domainErrors.ts"

export const LeavesHandlers = HttpApiBuilder.group(KnotApi, "leaves", (handlers) =>
  Effect.gen(function*() {
    const leaves = yield* Leaves
    const cluster = yield* ClusterView

    // A leaf links to cluster nodes only, and a leaf record written elsewhere would never reach them.
    const requireClusterNode = Effect.flatMap(cluster.self, (self) =>
      self.mode === "cluster"
        ? Effect.void
        : Effect.fail(
          new Conflict({
            code: "leaves_on_cluster_nodes",
            message: "leaves are added on a cluster node; run this against one of the cluster's nodes " +
              `(this node is ${self.mode === "leaf" ? "a leaf" : "standalone"})`
          })
        ))
    const adminOnClusterNode = Effect.zipRight(requireAdmin, requireClusterNode)

    return handlers
      .handle("add", ({ payload }) =>
        Effect.zipRight(adminOnClusterNode, leaves.add(payload)).pipe(
          Effect.catchTags({ LeafNameTaken: leafNameTaken, UserNotFound: userNotFound, ...storeErrors })
        ))
      .handle("list", () => Effect.zipRight(requireAdmin, leaves.list).pipe(Effect.catchTags(storeErrors)))
      .handle("set", ({ path, payload }) =>
        Effect.gen(function*() {
          yield* adminOnClusterNode
          if (payload.users === undefined && payload.zone === undefined) {
            return yield* new BadRequest({ code: "nothing_to_change", message: "give the leaf's users, its zone, or both" })
          }
          return yield* leaves.set(path.name, payload)
        }).pipe(
          Effect.catchTags({ LeafNotFound: leafNotFound, LeafRevoked: leafRevoked, UserNotFound: userNotFound, ...storeErrors })
        ))
      .handle("revoke", ({ path }) =>
        Effect.zipRight(adminOnClusterNode, leaves.revoke(path.name)).pipe(
          Effect.catchTags({ LeafNotFound: leafNotFound, ...storeErrors })
        ))
  }))
