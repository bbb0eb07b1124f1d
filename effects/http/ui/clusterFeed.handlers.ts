/**
 * The cluster feed: membership lives in the gossip actor's memory, not in the store, so the
 * store's change feed cannot carry it. The node looks at its own view four times a second and
 * pushes a snapshot when something people see changed (or every 2 s, for last contact and
 * traffic); the browser only listens.
 */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Clock, Duration, Effect, Option, Schema, Stream } from "effect"
import type { Member } from "../../../actors/node/clusterView.ts"
import { ClusterView } from "../../../actors/node/clusterView.ts"
import { OriginLink } from "../../../actors/node/originLink.ts"
import { readTraffic } from "../../../transport/hyperswarm/trafficMetrics.ts"
import { KnotApi } from "../api.ts"
import { requireAdmin } from "../auth/access.ts"
import { formatSse } from "../serverSentEvents.ts"
import { ClusterSnapshot } from "./clusterFeedGroup.ts"

const LOOK_EVERY = Duration.millis(250)
const SEND_AT_LEAST_EVERY_MS = 2000

/** What a person sees change on the page; last contact moves with every message and is sent on the 2 s beat. */
const shapeOf = (members: ReadonlyArray<Omit<Member, "announced">>) =>
  members.map((member) => `${member.id}:${member.name}:${member.zone}:${member.mode}:${member.state}:${member.incarnation}:${member.spaces}`)
    .sort().join("|")

const encode = Schema.encodeSync(Schema.parseJson(ClusterSnapshot))

export const ClusterFeedHandlers = HttpApiBuilder.group(KnotApi, "clusterFeed", (handlers) =>
  Effect.gen(function*() {
    const cluster = yield* ClusterView
    const originLink = yield* Effect.serviceOption(OriginLink)
    const encoder = new TextEncoder()

    const snapshot = Effect.gen(function*() {
      const self = yield* cluster.self
      const members = yield* cluster.members
      const origin = Option.isSome(originLink) ? { origin: yield* originLink.value.status } : {}
      const traffic = self.mode === "standalone" ? {} : { traffic: yield* readTraffic(self.id) }
      return { self: self.id, members: members.map(({ announced: _announced, ...member }) => member), ...origin, ...traffic, at: yield* Clock.currentTimeMillis }
    })

    return handlers.handle("events", () =>
      Effect.map(requireAdmin, () => {
        let lastShape: string | undefined
        let lastSent = 0
        const looks = Stream.tick(LOOK_EVERY).pipe(
          Stream.mapEffect(() => snapshot),
          Stream.filter((current) => {
            const shape = shapeOf(current.members) + JSON.stringify(current.origin ?? null)
            if (shape === lastShape && current.at - lastSent < SEND_AT_LEAST_EVERY_MS) return false
            lastShape = shape
            lastSent = current.at
            return true
          }),
          Stream.map((current) => encoder.encode(formatSse({ event: "cluster", data: encode(current) })))
        )
        return HttpServerResponse.stream(looks, {
          contentType: "text/event-stream",
          headers: { "cache-control": "no-store", "x-accel-buffering": "no" }
        })
      }))
  }))
