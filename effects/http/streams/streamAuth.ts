/**
 * Who opens a stream. Stream endpoints are reached before the API's middleware (a WebSocket
 * upgrade, a proxied port), so they authenticate here, the ways the API does: a bearer token
 * (the CLI, curl), a ticket in the WebSocket subprotocols (the web terminal, streamTickets.ts),
 * or the browser's session cookie (a template's HTTP port opened from the UI). Failed tokens and
 * tickets are slowed per address as sign-ins to the API are; failed cookies are not, as in
 * cookieAuthentication.ts.
 *
 * A cookie goes with every request the browser makes to this origin, whoever's page makes it,
 * so it is taken only where the browser vouches that this node's pages asked: a WebSocket by
 * cookie must name this node as its Origin (browsers always send one; another site's page
 * opening it is cross-site WebSocket hijacking), and a write through a port must be same-origin.
 * A GET is a navigation: SameSite=Strict already keeps another site's links from carrying it.
 */
import type { IncomingMessage } from "node:http"
import { Cookies } from "@effect/platform"
import { Effect } from "effect"
import type { AuthenticatedUser } from "../auth/currentUser.ts"
import { sameOrigin } from "../auth/sameOrigin.ts"
import { Sessions } from "../auth/sessions.ts"
import { SESSION_COOKIE } from "../auth/sessionSecret.ts"
import { makeSignInLimiter, type SignInPolicy } from "../auth/signInLimiter.ts"
import { Tokens } from "../auth/tokens.ts"
import { StreamTickets } from "./streamTickets.ts"

/** An answer given instead of the stream, as an HTTP status and the API's error body. */
export interface HttpRefusal {
  readonly status: number
  readonly code: string
  readonly message: string
  /** Where a browser's navigation goes instead (a 303 with no body to read). */
  readonly location?: string
}

/** The caller, and the browser session it came by (directly, or through the ticket it asked for). */
export interface StreamCaller {
  readonly user: AuthenticatedUser
  /** The session's cookie secret: the stream ends when the session does. */
  readonly session?: string
  readonly by: "token" | "ticket" | "cookie"
}

export const TICKET_PROTOCOL_PREFIX = "knot.ticket."
/** The subprotocol a browser names beside its ticket; the server accepts it. */
export const STREAM_PROTOCOL = "knot.v1"

const bearerScheme = /^bearer\s+/i
const safeMethods = new Set(["GET", "HEAD", "OPTIONS"])

export const subprotocolsOf = (request: IncomingMessage): ReadonlyArray<string> =>
  (request.headers["sec-websocket-protocol"] ?? "").split(",").map((value) => value.trim()).filter((value) => value !== "")

export const sessionCookieOf = (request: IncomingMessage): string | undefined => {
  const header = request.headers.cookie
  const secret = header === undefined ? undefined : Cookies.parseHeader(header)[SESSION_COOKIE]
  return secret === "" ? undefined : secret
}

/** Whether the browser says this node's own page opened the WebSocket: the Origin must be there, and ours. */
const ownOrigin = (request: IncomingMessage) => request.headers.origin !== undefined && sameOrigin(request)

/** A person's browser going to a page, not a script fetching data: shown the sign-in page instead of a 401. */
const isNavigation = (request: IncomingMessage) =>
  request.method === "GET" &&
  (request.headers["sec-fetch-mode"] === "navigate" || (request.headers.accept ?? "").includes("text/html"))

export const makeStreamAuth = (policy?: SignInPolicy) =>
  Effect.gen(function*() {
    const tokens = yield* Tokens
    const tickets = yield* StreamTickets
    const sessions = yield* Sessions
    const limiter = makeSignInLimiter(policy)

    const refused = (status: number, code: string, message: string): HttpRefusal => ({ status, code, message })

    const failedFrom = (address: string, message: string) =>
      Effect.zipRight(
        Effect.flatMap(limiter.failed(address), ({ failures }) =>
          Effect.logWarning(`failed stream sign-in from ${address} (${failures} in a row): ${message}`)),
        Effect.fail(refused(401, "invalid_token", message))
      )

    const byCookie = (request: IncomingMessage, secret: string, upgrade: boolean) =>
      Effect.gen(function*() {
        if (upgrade ? !ownOrigin(request) : !safeMethods.has(request.method ?? "GET") && !sameOrigin(request)) {
          return yield* Effect.fail(refused(
            403,
            "cross_origin",
            upgrade
              ? "a WebSocket signed in by cookie must be opened by this node's own pages (its Origin)"
              : "a write signed in by cookie must come from this node's own pages"
          ))
        }
        const signedIn = yield* Effect.either(sessions.authenticate(secret))
        if (signedIn._tag === "Right") return { user: signedIn.right.user, session: secret, by: "cookie" } as const
        const error = signedIn.left
        if (error._tag === "AccountDisabled") return yield* Effect.fail(refused(403, "account_disabled", error.message))
        if (error._tag !== "InvalidSession") return yield* Effect.fail(refused(500, "store_failed", error.message))
        return yield* Effect.fail(
          isNavigation(request)
            ? { ...refused(303, "invalid_session", error.message), location: "/" }
            : refused(401, "invalid_session", error.message)
        )
      })

    return (request: IncomingMessage, upgrade: boolean): Effect.Effect<StreamCaller, HttpRefusal> =>
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
          const redeemed = yield* tickets.redeem(ticket.slice(TICKET_PROTOCOL_PREFIX.length))
          if (redeemed === undefined) return yield* failedFrom(address, "the stream ticket is unknown, used or expired; ask for a new one")
          yield* limiter.succeeded(address)
          return { ...redeemed, by: "ticket" } as const
        }
        const header = request.headers.authorization?.trim() ?? ""
        const cookie = sessionCookieOf(request)
        if (header === "" && cookie !== undefined) return yield* byCookie(request, cookie, upgrade)
        if (!bearerScheme.test(header)) {
          return yield* Effect.fail(
            isNavigation(request) && header === ""
              ? { ...refused(303, "missing_token", "sign in first"), location: "/" }
              : refused(401, "missing_token", "this route needs a token: send `Authorization: Bearer <token>` (create one with `knot token create`)")
          )
        }
        const user = yield* Effect.either(tokens.authenticate(header.replace(bearerScheme, "")))
        if (user._tag === "Left") return yield* failedFrom(address, user.left.message)
        yield* limiter.succeeded(address)
        return { user: user.right, by: "token" } as const
      })
  })
