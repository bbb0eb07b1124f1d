import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Spaces } from "../../../actors/space/spaces.ts"
import { KnotApi } from "../api.ts"
import { requireAdmin } from "../auth/access.ts"
import { OwnAccount } from "../auth/auth.errors.ts"
import { CurrentUser } from "../auth/currentUser.ts"
import { Passwords } from "../auth/passwords.ts"
import { Sessions } from "../auth/sessions.ts"
import { SshKeys } from "../../ssh/sshKeys.ts"
import { Tokens } from "../auth/tokens.ts"
import { Users } from "../auth/users.ts"
import { ownAccount, storeErrors, userNameTaken, userNotFound } from "../domainErrors.ts"

export const UsersHandlers = HttpApiBuilder.group(KnotApi, "users", (handlers) =>
  Effect.gen(function*() {
    const users = yield* Users
    const spaces = yield* Spaces
    const passwords = yield* Passwords
    const sessions = yield* Sessions
    const tokens = yield* Tokens
    const sshKeys = yield* SshKeys

    /** A deleted user's password, sessions, tokens and SSH keys: they name its account and fail anyway, but need not linger. */
    const forgetRecordsOf = (user: string) =>
      Effect.gen(function*() {
        yield* passwords.remove(user)
        yield* sessions.forget(user)
        for (const token of yield* tokens.list({ user })) {
          yield* Effect.catchTag(tokens.revoke(token.id), "TokenNotFound", () => Effect.void)
        }
        for (const key of yield* sshKeys.list({ user })) {
          yield* Effect.catchTag(sshKeys.remove(key.id), "SshKeyNotFound", () => Effect.void)
        }
      })

    /** The admin making the request, unless it is about their own account. */
    const adminActingOn = (name: string, action: string) =>
      Effect.flatMap(requireAdmin, (admin) => (admin.id === name ? Effect.fail(new OwnAccount({ action })) : Effect.succeed(admin)))

    // A shut-out user's containers stop too; the spaces stay for an admin to remove.
    const stopSpacesOf = (owner: string) =>
      Effect.flatMap(spaces.list({ owner }), (owned) =>
        Effect.forEach(
          owned.filter((space) => space.desired === "running"),
          (space) =>
            spaces.stop(space.id).pipe(
              Effect.catchAll((error) => Effect.logWarning(`could not stop space ${space.id} of ${owner}: ${error.message}`))
            ),
          { discard: true }
        ))

    const recovered = { UserNotFound: userNotFound, OwnAccount: ownAccount, ...storeErrors }

    return handlers
      .handle("create", ({ payload }) =>
        Effect.zipRight(requireAdmin, users.create(payload.name, payload.role)).pipe(
          Effect.catchTags({ UserNameTaken: userNameTaken, ...storeErrors })
        ))
      .handle("list", () => Effect.zipRight(requireAdmin, users.list).pipe(Effect.catchTags(storeErrors)))
      .handle("me", () => CurrentUser)
      .handle("disable", ({ path }) =>
        Effect.zipRight(adminActingOn(path.name, "disable"), users.update(path.name, { disabled: true })).pipe(
          Effect.tap(() => stopSpacesOf(path.name)),
          Effect.catchTags(recovered)
        ))
      .handle("enable", ({ path }) =>
        Effect.zipRight(requireAdmin, users.update(path.name, { disabled: false })).pipe(
          Effect.catchTags({ UserNotFound: userNotFound, ...storeErrors })
        ))
      .handle("setRole", ({ path, payload }) =>
        Effect.zipRight(adminActingOn(path.name, "change the role of"), users.update(path.name, { role: payload.role }))
          .pipe(Effect.catchTags(recovered)))
      .handle("delete", ({ path }) =>
        Effect.zipRight(adminActingOn(path.name, "delete"), users.remove(path.name)).pipe(
          Effect.tap(() => forgetRecordsOf(path.name)),
          Effect.tap(() => stopSpacesOf(path.name)),
          Effect.catchTags(recovered)
        ))
  }))
