/** Who may do what: admins everything; a user their own spaces and tokens. */
import { Effect } from "effect"
import { Forbidden } from "../api.errors.ts"
import type { AuthenticatedUser } from "./currentUser.ts"
import { CurrentUser } from "./currentUser.ts"

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
