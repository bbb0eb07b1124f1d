/**
 * The cluster as a standalone node sees it: itself, alive, owning the spaces its store
 * places on it.
 */
import { Clock, Effect, Either, Layer, Stream } from "effect"
import { Node, type NodeMode } from "../../storage/kinds/node.ts"
import { Store } from "../../storage/store.ts"
import { decodeRecordValue } from "../space/recordCodec.ts"
import { decodeSpace, spaceKind } from "../space/spaceRecord.ts"
import { nodeKind } from "./node.actor.ts"
import { memberFactsChanged } from "./memberFacts.ts"
import type { Member } from "./clusterView.ts"
import { ClusterView } from "./clusterView.ts"

export interface StandaloneClusterOptions {
  readonly zone: string
  /** A leaf also sees only itself until its origin answers; default "standalone". */
  readonly mode?: NodeMode
}

const make = (options: StandaloneClusterOptions) =>
  Effect.map(Store, (store) => {
    const owned = Effect.map(store.list(spaceKind), (records) =>
      records.filter((record) => {
        const space = decodeSpace(record)
        return space._tag === "Right" && space.right.node === store.nodeId
      }).length)
    const self = Effect.gen(function*() {
      // The count only ranks nodes for placement, and a standalone node is the only candidate:
      // an unreadable store shows up in the placement's own reads, not here.
      const spaces = yield* Effect.orElseSucceed(owned, () => 0)
      const now = yield* Clock.currentTimeMillis
      const record = yield* Effect.orElseSucceed(store.get(nodeKind, store.nodeId), () => undefined)
      const announced = record === undefined || record.deleted ? undefined : Either.getOrUndefined(decodeRecordValue(Node, record))
      const member: Member = {
        id: store.nodeId,
        zone: options.zone,
        mode: options.mode ?? "standalone",
        state: "alive",
        incarnation: 0,
        lastContact: now,
        announced: true,
        spaces,
        ...(announced?.name === undefined ? {} : { name: announced.name })
      }
      return member
    })
    return ClusterView.of({
      self,
      members: Effect.map(self, (member) => [member]),
      memberZones: Effect.succeed([{ id: store.nodeId, zone: options.zone, state: "alive" }]),
      changes: Stream.concat(Stream.succeed(undefined), memberFactsChanged(store))
    })
  })

export const StandaloneClusterView = {
  make,
  layer: (options: StandaloneClusterOptions): Layer.Layer<ClusterView, never, Store> =>
    Layer.effect(ClusterView, make(options))
}
