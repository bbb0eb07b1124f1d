/**
 * Short-lived tickets for opening a stream where no header can be set: a browser's
 * WebSocket cannot send `Authorization`. A signed-in client asks for one (POST
 * /api/streams/ticket) and passes it as a WebSocket subprotocol (`knot.ticket.<ticket>`), never
 * in the URL, so it stays out of logs and history. A ticket is good once, on the node that
 * issued it, for 30 seconds. A ticket asked for by a browser's session belongs to it: the
 * stream it opens ends when the session does.
 */
import { Clock, Context, Effect, Layer } from "effect"
import type { AuthenticatedUser } from "../auth/currentUser.ts"
import { SecureRandom } from "../auth/secureRandom.ts"

export const TICKET_LIFETIME_MS = 30_000
const TICKET_BYTES = 24

export interface IssuedTicket {
  readonly ticket: string
  readonly expiresAt: number
}

export interface TicketHolder {
  readonly user: AuthenticatedUser
  /** The cookie secret of the session that asked for it, if a browser did. */
  readonly session?: string
}

export interface StreamTicketsShape {
  readonly issue: (holder: TicketHolder) => Effect.Effect<IssuedTicket>
  /** The ticket's holder, once: a second use, an unknown or an expired ticket is `undefined`. */
  readonly redeem: (ticket: string) => Effect.Effect<TicketHolder | undefined>
}

export class StreamTickets extends Context.Tag("knot/http/StreamTickets")<StreamTickets, StreamTicketsShape>() {
  static readonly layer: Layer.Layer<StreamTickets, never, SecureRandom> = Layer.effect(
    StreamTickets,
    Effect.gen(function*() {
      const random = yield* SecureRandom
      const issued = new Map<string, { readonly holder: TicketHolder; readonly expiresAt: number }>()
      const forgetExpired = (now: number) => {
        for (const [ticket, entry] of issued) if (entry.expiresAt <= now) issued.delete(ticket)
      }
      return {
        issue: (holder) =>
          Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            forgetExpired(now)
            const ticket = Buffer.from(yield* random.bytes(TICKET_BYTES)).toString("base64url")
            const expiresAt = now + TICKET_LIFETIME_MS
            issued.set(ticket, { holder, expiresAt })
            return { ticket, expiresAt }
          }),
        redeem: (ticket) =>
          Effect.map(Clock.currentTimeMillis, (now) => {
            const entry = issued.get(ticket)
            issued.delete(ticket)
            return entry !== undefined && entry.expiresAt > now ? entry.holder : undefined
          })
      }
    })
  )
}
