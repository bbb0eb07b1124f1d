/**
 * `/metrics`: what the node's Effect metrics hold (requests, failed sign-ins, refused records,
 * gossip bytes) plus gauges read at each scrape from the node's state (spaces by state,
 * members by state, quarantined records), as Prometheus text.
 */
import { HttpApiBuilder } from "@effect/platform"
import { Effect, Metric } from "effect"
import { ClusterView } from "../../../actors/node/clusterView.ts"
import { Spaces } from "../../../actors/space/spaces.ts"
import { SpaceObserved } from "../../../storage/kinds/spaceStatus.ts"
import { Store } from "../../../storage/store.ts"
import { KnotApi } from "../api.ts"
import { MemberState } from "../api.schemas.ts"
import { requireAdmin } from "../auth/access.ts"
import { storeErrors } from "../domainErrors.ts"
import { prometheusText } from "../prometheusText.ts"

const spacesByState = Metric.gauge("knot_spaces", { description: "spaces this node knows, by observed state" })
const membersByState = Metric.gauge("knot_cluster_members", { description: "cluster members this node sees, by state" })
const quarantinedRecords = Metric.gauge("knot_store_quarantined_records", {
  description: "stored records kept out of every list because they do not decode"
})

/** Every state gets a sample, 0 included, so that a state emptied since the last scrape reads 0. */
const setByState = <S extends string>(
  gauge: Metric.Metric.Gauge<number>,
  node: string,
  states: ReadonlyArray<S>,
  values: ReadonlyArray<S>
) =>
  Effect.forEach(
    states,
    (state) =>
      Metric.set(
        gauge.pipe(Metric.tagged("node", node), Metric.tagged("state", state)),
        values.filter((value) => value === state).length
      ),
    { discard: true }
  )

export const MetricsHandlers = HttpApiBuilder.group(KnotApi, "metrics", (handlers) =>
  Effect.gen(function*() {
    const cluster = yield* ClusterView
    const spaces = yield* Spaces
    const store = yield* Store
    return handlers.handle("metrics", () =>
      Effect.gen(function*() {
        yield* requireAdmin
        const self = yield* cluster.self
        const listed = yield* spaces.list()
        yield* setByState(spacesByState, self.id, SpaceObserved.literals, listed.map((space) => space.observed))
        const members = yield* cluster.members
        yield* setByState(membersByState, self.id, MemberState.literals, members.map((member) => member.state))
        yield* Metric.set(quarantinedRecords.pipe(Metric.tagged("node", self.id)), yield* store.quarantined)
        return prometheusText(yield* Metric.snapshot)
      }).pipe(Effect.catchTags(storeErrors)))
  }))
