/**
 * The CLI's reader of a node's change feed (`GET /api/events`): its events as a stream that
 * survives a dropped connection or a node restart by reconnecting from the last cursor, so
 * that a consumer never sees a gap (after a `reset`, it gets the whole state again).
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Data, Duration, Effect, Either, Redacted, Ref, Stream } from "effect"
import type { FeedEvent } from "../../effects/http/feedEvent.ts"
import { decodeFeedEvent } from "../../effects/http/feedEvent.ts"
import { makeSseParser } from "../../effects/http/serverSentEvents.ts"
import { CliFailure } from "./cliFailure.ts"
import type { Connection } from "./connection.ts"
import { describeClientError, refusalOf, unreadableAnswer } from "./knotClient.ts"

/** Long enough for a node to restart; every event received starts the count again. */
export const reconnectFor = Duration.seconds(30)

const retryEvery = Duration.seconds(1)

/** The connection ended or could not be made; worth another try. */
class FeedDropped extends Data.TaggedError("FeedDropped")<{ readonly message: string }> {}

export const followFeed = (connection: Connection): Stream.Stream<FeedEvent, CliFailure, HttpClient.HttpClient> =>
  Stream.unwrap(Effect.gen(function*() {
    const cursor = yield* Ref.make<string | undefined>(undefined)
    const failingSince = yield* Ref.make<number | undefined>(undefined)

    const connectOnce: Stream.Stream<FeedEvent, CliFailure | FeedDropped, HttpClient.HttpClient> = Stream.unwrapScoped(
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const resumeAt = yield* Ref.get(cursor)
        const request = HttpClientRequest.get(`${connection.server}/api/events`).pipe(
          HttpClientRequest.bearerToken(Redacted.value(connection.token)),
          HttpClientRequest.setHeader("accept", "text/event-stream"),
          resumeAt === undefined ? (request) => request : HttpClientRequest.setHeader("last-event-id", resumeAt)
        )
        const response = yield* client.execute(request).pipe(
          Effect.mapError((error) => new FeedDropped({ message: describeClientError(connection.server)(error).message }))
        )
        if (response.status !== 200) {
          const body = yield* Effect.orElseSucceed(response.text, () => "")
          if (response.status >= 500) {
            return Stream.fail(new FeedDropped({ message: `the knot server answered ${response.status}` }))
          }
          return Stream.fail(refusalOf(connection.server, response.status, body, response.headers["x-request-id"]))
        }
        const parser = makeSseParser()
        const events = response.stream.pipe(
          Stream.decodeText(),
          Stream.mapConcat(parser.push),
          Stream.mapEffect((message) =>
            Either.match(decodeFeedEvent(message.data), {
              onLeft: () => Effect.flatMap(unreadableAnswer(connection.server, client), Effect.fail),
              onRight: (event) =>
                Effect.as(
                  Effect.zipRight(
                    message.id === undefined ? Effect.void : Ref.set(cursor, message.id),
                    Ref.set(failingSince, undefined)
                  ),
                  event
                )
            })),
          Stream.catchTag("ResponseError", () => Stream.fail(new FeedDropped({ message: "the connection was cut" })))
        )
        return Stream.concat(events, Stream.fail(new FeedDropped({ message: "the server closed the connection" })))
      })
    )

    const follow: Stream.Stream<FeedEvent, CliFailure, HttpClient.HttpClient> = connectOnce.pipe(
      Stream.catchTag("FeedDropped", (dropped) =>
        Stream.unwrap(Effect.gen(function*() {
          const now = Date.now()
          const since = (yield* Ref.get(failingSince)) ?? now
          yield* Ref.set(failingSince, since)
          if (now - since >= Duration.toMillis(reconnectFor)) {
            return Stream.fail(
              new CliFailure({
                message: `lost the knot server at ${connection.server} (${dropped.message}) for ${Duration.format(reconnectFor)}`
              })
            )
          }
          yield* Effect.sleep(retryEvery)
          return follow
        })))
    )
    return follow
  }))
