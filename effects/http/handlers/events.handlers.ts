import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Duration, Effect, Stream } from "effect"
import { KnotApi } from "../api.ts"
import { CurrentUser } from "../auth/currentUser.ts"
import { endWithSession } from "../auth/sessionBoundFeed.ts"
import { ChangeFeed } from "../changeFeed.ts"
import { encodeFeedEvent } from "../feedEvent.ts"
import { formatSse, sseKeepAlive } from "../serverSentEvents.ts"

/** Under the idle timeouts of the usual proxies (60 s and up). */
const keepAliveEvery = Duration.seconds(15)

export const EventsHandlers = HttpApiBuilder.group(KnotApi, "events", (handlers) =>
  Effect.gen(function*() {
    const feed = yield* ChangeFeed
    const encoder = new TextEncoder()
    return handlers.handle("feed", ({ headers, urlParams }) =>
      Effect.gen(function*() {
        const user = yield* CurrentUser
        const frames = feed.open(user, urlParams.since ?? headers["last-event-id"]).pipe(
          Stream.map((frame) => formatSse({ id: frame.cursor, event: frame.event._tag, data: encodeFeedEvent(frame.event) }))
        )
        const keepAlive = Stream.tick(keepAliveEvery).pipe(Stream.drop(1), Stream.as(sseKeepAlive))
        const body = (yield* endWithSession(Stream.merge(frames, keepAlive, { haltStrategy: "left" }))).pipe(
          Stream.map((text) => encoder.encode(text))
        )
        return HttpServerResponse.stream(body, {
          contentType: "text/event-stream",
          headers: { "cache-control": "no-store", "x-accel-buffering": "no" }
        })
      }))
  }))
