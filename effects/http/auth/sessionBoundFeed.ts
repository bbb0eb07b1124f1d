/**
 * A feed a browser opened with its session cookie lives only as long as the session: when the
 * session is revoked (on any node), expires, or its user is removed or disabled (or, on a leaf,
 * left out of its leaf record), the feed sends
 * `session-ended` and closes, so an open page signs out at once instead of at its next click.
 */
import { HttpServerRequest } from "@effect/platform"
import { Effect, Stream } from "effect"
import { formatSse } from "../serverSentEvents.ts"
import { Sessions } from "./sessions.ts"
import { SESSION_COOKIE } from "./sessionSecret.ts"

export const SESSION_ENDED_EVENT = "session-ended"

/** The cookie secret the request was signed in by; a request with an Authorization header was not. */
export const requestSession = Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
  const secret = request.headers.authorization === undefined ? request.cookies[SESSION_COOKIE] : undefined
  return secret === "" ? undefined : secret
})

/** `events` (SSE text), ended by `session-ended` once the request's browser session ends. */
export const endWithSession = (
  events: Stream.Stream<string>
): Effect.Effect<Stream.Stream<string>, never, HttpServerRequest.HttpServerRequest | Sessions> =>
  Effect.gen(function*() {
    const secret = yield* requestSession
    if (secret === undefined) return events
    const sessions = yield* Sessions
    return events.pipe(
      Stream.interruptWhen(sessions.untilEnded(secret)),
      Stream.concat(Stream.succeed(formatSse({ event: SESSION_ENDED_EVENT, data: "{}" })))
    )
  })
