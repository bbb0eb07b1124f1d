import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, SubscriptionRef } from "effect"
import { ClusterView } from "../../actors/node/clusterView.ts"
import { GossipClusterView } from "../../actors/node/clusterView.gossip.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { Store, type StoreShape } from "../../storage/store.ts"
import { makeMembershipView } from "../../transport/gossip/membershipView.ts"

/** n1's cluster view over a store that counts how often space records are listed. */
const clusterView = Effect.gen(function*() {
  const { store } = yield* MemoryStore.make({ nodeId: NodeId.make("n1"), maxDriftMs: 60_000 })
  const reads = { spaces: 0 }
  const counting: StoreShape = {
    ...store,
    list: (kind) => {
      if (kind === "space") reads.spaces++
      return store.list(kind)
    }
  }
  yield* store.put("node", "n2", { zone: "b", mode: "cluster", startedAt: 1 })
  yield* store.put("node", "leaf-1", { zone: "b", mode: "leaf", startedAt: 1, origin: "n2" })
  yield* store.put("node", "n2", { zone: "b", mode: "cluster", startedAt: 1, leaves: [{ id: "leaf-1", state: "alive", since: 1 }] })
  yield* store.put("space", "s1", { name: "s1", owner: "ada", template: "t", node: "n2", desired: "running", createdAt: 1 })
  const view = yield* makeMembershipView("n1", "a")
  yield* SubscriptionRef.update(view, (snapshot) => ({
    ...snapshot,
    members: new Map([
      ["n2", { node: "n2", zone: "b", state: "alive" as const, incarnation: 0, changedAt: 0 }],
      ["n3", { node: "n3", zone: "", state: "suspect" as const, incarnation: 0, changedAt: 0 }]
    ])
  }))
  const services = yield* Layer.build(
    GossipClusterView.layer({ view, mode: "cluster" }).pipe(Layer.provide(Layer.succeed(Store, counting)))
  )
  return { cluster: Context.get(services, ClusterView), reads }
})

describe("the cluster view's member zones", () => {
  it.scoped("give each member's zone and state as the members do, leaves of other nodes included", () =>
    Effect.gen(function*() {
      const { cluster } = yield* clusterView
      const members = yield* cluster.members
      expect(yield* cluster.memberZones).toEqual(members.map(({ id, state, zone }) => ({ id, zone, state })))
      expect(members.map((member) => member.id)).toEqual(["n1", "n2", "n3", "leaf-1"])
    }))

  it.scoped("read no space record, unlike the members, which count each node's spaces", () =>
    Effect.gen(function*() {
      const { cluster, reads } = yield* clusterView
      yield* cluster.memberZones
      expect(reads.spaces).toBe(0)
      yield* cluster.members
      expect(reads.spaces).toBe(1)
    }))
})
