/** Who may do what: admins everything; a user their own spaces and tokens. */
import { Effect } from "effect"
import { Forbidden } from "../api.errors.ts"
import type { AuthenticatedUser } from "./currentUser.ts"
import { CurrentUser } from "./currentUser.ts"
import type { UsersShape } from "./users.ts"

export const requireAdmin: Effect.Effect<AuthenticatedUser, Forbidden, CurrentUser> = Effect.flatMap(
  CurrentUser,
  (user) =>
    user.role === "admin"
      ? Effect.succeed(user)
      : Effect.fail(new Forbidden({ code: "admin_only", message: `only an admin may do this; ${user.name} is a user` }))
)

export const mayActFor = (user: AuthenticatedUser, owner: string): boolean => user.role === "admin" || user.id === owner

/** Fails with 403 unless the current user owns `owner`'s resource or is an admin. */
export const requireOwner = (owner: string, what: string): Effect.Effect<AuthenticatedUser, Forbidden, CurrentUser> =>
  Effect.flatMap(CurrentUser, (user) =>
    mayActFor(user, owner)
      ? Effect.succeed(user)
      : Effect.fail(new Forbidden({ code: "not_owner", message: `${what} belongs to another user` })))

/** The user a request acts for: the caller, or (admins only) the user it names. */
export const callerOrNamed = (users: UsersShape, requested: string | undefined) =>
  Effect.gen(function*() {
    const caller = yield* CurrentUser
    if (requested === undefined || requested === caller.id) return caller
    // Checked before the lookup, so that a user cannot probe which names exist.
    yield* requireAdmin
    return yield* users.get(requested)
  })
