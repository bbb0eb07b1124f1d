/**
 * Who opens a stream. Stream endpoints are reached before the API's middleware (a WebSocket
 * upgrade, a proxied port), so they authenticate here, the same ways: a bearer token (the
 * CLI, curl), or a ticket in the WebSocket subprotocols (a browser, streamTickets.ts). Failed
 * attempts are slowed per address as sign-ins to the API are.
 */
import type { IncomingMessage } from "node:http"
import { Effect } from "effect"
import type { AuthenticatedUser } from "../auth/currentUser.ts"
import { makeSignInLimiter, type SignInPolicy } from "../auth/signInLimiter.ts"
import { Tokens } from "../auth/tokens.ts"
import { StreamTickets } from "./streamTickets.ts"

/** An answer given instead of the stream, as an HTTP status and the API's error body. */
export interface HttpRefusal {
  readonly status: number
  readonly code: string
  readonly message: string
}

export const TICKET_PROTOCOL_PREFIX = "knot.ticket."
/** The subprotocol a browser names beside its ticket; the server accepts it. */
export const STREAM_PROTOCOL = "knot.v1"

const bearerScheme = /^bearer\s+/i

export const subprotocolsOf = (request: IncomingMessage): ReadonlyArray<string> =>
  (request.headers["sec-websocket-protocol"] ?? "").split(",").map((value) => value.trim()).filter((value) => value !== "")

export const makeStreamAuth = (policy?: SignInPolicy) =>
  Effect.gen(function*() {
    const tokens = yield* Tokens
    const tickets = yield* StreamTickets
    const limiter = makeSignInLimiter(policy)

    const refused = (status: number, code: string, message: string): HttpRefusal => ({ status, code, message })

    const failedFrom = (address: string, message: string) =>
      Effect.zipRight(
        Effect.flatMap(limiter.failed(address), ({ failures }) =>
          Effect.logWarning(`failed stream sign-in from ${address} (${failures} in a row): ${message}`)),
        Effect.fail(refused(401, "invalid_token", message))
      )

    return (request: IncomingMessage): Effect.Effect<AuthenticatedUser, HttpRefusal> =>
      Effect.gen(function*() {
        const address = request.socket.remoteAddress ?? "unknown"
        const wait = yield* limiter.waitFor(address)
        if (wait > 0) {
          return yield* Effect.fail(
            refused(429, "too_many_failed_sign_ins", `too many failed sign-ins from ${address}; try again in ${Math.ceil(wait / 1000)} s`)
          )
        }
        const ticket = subprotocolsOf(request).find((protocol) => protocol.startsWith(TICKET_PROTOCOL_PREFIX))
        if (ticket !== undefined) {
          const user = yield* tickets.redeem(ticket.slice(TICKET_PROTOCOL_PREFIX.length))
          if (user === undefined) return yield* failedFrom(address, "the stream ticket is unknown, used or expired; ask for a new one")
          yield* limiter.succeeded(address)
          return user
        }
        const header = request.headers.authorization?.trim() ?? ""
        if (!bearerScheme.test(header)) {
          return yield* Effect.fail(
            refused(401, "missing_token", "this route needs a token: send `Authorization: Bearer <token>` (create one with `knot token create`)")
          )
        }
        const user = yield* Effect.either(tokens.authenticate(header.replace(bearerScheme, "")))
        if (user._tag === "Left") return yield* failedFrom(address, user.left.message)
        yield* limiter.succeeded(address)
        return user.right
      })
  })
