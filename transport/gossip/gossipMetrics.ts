/**
 * What gossip refused, as an Effect metric tagged with the node's id (several nodes may share
 * one process, as in tests and the simulator): each record a peer sent that this node would
 * not store, for its kind or for being outside the sending leaf's authority.
 */
import { Effect, Metric } from "effect"

const recordsRefused = Metric.counter("knot_gossip_records_refused", {
  description: "records peers sent that this node refused (unknown kinds, outside a leaf's authority)",
  incremental: true
})

export const refusedRecordsCounter = (nodeId: string) => Metric.tagged(recordsRefused, "node", nodeId)

export const readRefusedRecords = (nodeId: string): Effect.Effect<number> =>
  Effect.map(Metric.value(refusedRecordsCounter(nodeId)), (state) => state.count)
