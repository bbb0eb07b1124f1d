/**
 * Who a request turned out to be, told by the Authentication middleware to the audit log that
 * wraps the whole request: a cell per request, since the user is known only inside.
 */
import { Context, Effect, Option, Ref } from "effect"

export class RequestUser extends Context.Tag("knot/http/RequestUser")<RequestUser, Ref.Ref<Option.Option<string>>>() {}

/** Records `user` for the audit log, when the request is being audited. */
export const noteRequestUser = (user: string): Effect.Effect<void> =>
  Effect.flatMap(
    Effect.serviceOption(RequestUser),
    Option.match({ onNone: () => Effect.void, onSome: (cell) => Ref.set(cell, Option.some(user)) })
  )
