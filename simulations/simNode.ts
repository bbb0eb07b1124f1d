/**
 * The node actor of a simulated node, reduced to what the simulator exercises today: it hosts
 * the gossip children and takes writes. It stands where actors/node's real node actor will
 * stand; the seam is `spawnGossip` in `init` and the Write message.
 */
import { Effect } from "effect"
import type { Behaviour, Reply } from "../actors/runtime/index.ts"
import type { StoredRecord } from "../storage/record.ts"
import { Store } from "../storage/store.ts"
import type { StoreError } from "../storage/store.errors.ts"
import { type Gossip, type GossipOptions, spawnGossip } from "../transport/gossip/spawnGossip.ts"
import type { Transport } from "../transport/transport.ts"

export type SimNodeCommand = {
  readonly _tag: "Write"
  readonly kind: string
  readonly id: string
  readonly value: unknown
  readonly reply: Reply<StoredRecord, StoreError>
}

export const simNodeBehaviour = (gossip: GossipOptions): Behaviour<SimNodeCommand, Gossip, Store | Transport> => ({
  init: (ctx) => spawnGossip(ctx, gossip),
  receive: (state, command) =>
    Effect.gen(function*() {
      const store = yield* Store
      const written = yield* Effect.either(store.put(command.kind, command.id, command.value))
      yield* written._tag === "Right" ? command.reply.succeed(written.right) : command.reply.fail(written.left)
      return state
    })
})
