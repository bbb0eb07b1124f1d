import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { KnotApi } from "../api.ts"
import { requireAdmin } from "../auth/access.ts"
import { CurrentUser } from "../auth/currentUser.ts"
import { Users } from "../auth/users.ts"
import { storeErrors, userNameTaken } from "../domainErrors.ts"

export const UsersHandlers = HttpApiBuilder.group(KnotApi, "users", (handlers) =>
  Effect.gen(function*() {
    const users = yield* Users
    return handlers
      .handle("create", ({ payload }) =>
        Effect.zipRight(requireAdmin, users.create(payload.name, payload.role)).pipe(
          Effect.catchTags({ UserNameTaken: userNameTaken, ...storeErrors })
        ))
      .handle("list", () => Effect.zipRight(requireAdmin, users.list).pipe(Effect.catchTags(storeErrors)))
      .handle("me", () => CurrentUser)
  }))
