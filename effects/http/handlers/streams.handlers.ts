import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { Effect } from "effect"
import { KnotApi } from "../api.ts"
import { requireOwner } from "../auth/access.ts"
import { CurrentUser } from "../auth/currentUser.ts"
import { SESSION_COOKIE } from "../auth/sessionSecret.ts"
import { StreamTickets } from "../streams/streamTickets.ts"
import { UpgradeRequired } from "../streams/streamsGroup.ts"

const needsUpgrade = (path: { readonly owner: string; readonly name: string }) =>
  Effect.zipRight(
    requireOwner(path.owner, `space ${path.owner}/${path.name}`),
    Effect.fail(
      new UpgradeRequired({
        code: "upgrade_required",
        message: "this endpoint is a WebSocket: connect with a WebSocket client, or use `knot space exec|shell|logs|forward`"
      })
    )
  )

export const StreamsHandlers = HttpApiBuilder.group(KnotApi, "streams", (handlers) =>
  Effect.gen(function*() {
    const tickets = yield* StreamTickets
    return handlers
      .handle("ticket", () =>
        Effect.gen(function*() {
          const user = yield* CurrentUser
          const request = yield* HttpServerRequest.HttpServerRequest
          // Without an Authorization header the middleware took the cookie: the ticket is the session's.
          const session = request.headers.authorization === undefined ? request.cookies[SESSION_COOKIE] : undefined
          return yield* tickets.issue(session === undefined || session === "" ? { user } : { user, session })
        }))
      .handle("exec", ({ path }) => needsUpgrade(path))
      .handle("logs", ({ path }) => needsUpgrade(path))
      .handle("connect", ({ path }) => needsUpgrade(path))
  }))
