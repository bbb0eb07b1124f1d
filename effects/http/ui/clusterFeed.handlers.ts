/** The cluster feed as Server-Sent Events (clusterSnapshots.ts), for admins, ended with the browser's session. */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect, Schema, Stream } from "effect"
import { ClusterView } from "../../../actors/node/clusterView.ts"
import { OriginLink } from "../../../actors/node/originLink.ts"
import { KnotApi } from "../api.ts"
import { requireAdmin } from "../auth/access.ts"
import { endWithSession } from "../auth/sessionBoundFeed.ts"
import { formatSse } from "../serverSentEvents.ts"
import { ClusterSnapshot } from "./clusterFeedGroup.ts"
import { clusterSnapshots } from "./clusterSnapshots.ts"

const encode = Schema.encodeSync(Schema.parseJson(ClusterSnapshot))

export const ClusterFeedHandlers = HttpApiBuilder.group(KnotApi, "clusterFeed", (handlers) =>
  Effect.gen(function*() {
    const cluster = yield* ClusterView
    const originLink = yield* Effect.serviceOption(OriginLink)
    const encoder = new TextEncoder()
    return handlers.handle("events", () =>
      Effect.gen(function*() {
        yield* requireAdmin
        const events = clusterSnapshots(cluster, originLink).pipe(
          Stream.map((snapshot) => formatSse({ event: "cluster", data: encode(snapshot) }))
        )
        const body = (yield* endWithSession(events)).pipe(Stream.map((text) => encoder.encode(text)))
        return HttpServerResponse.stream(body, {
          contentType: "text/event-stream",
          headers: { "cache-control": "no-store", "x-accel-buffering": "no" }
        })
      }))
  }))
