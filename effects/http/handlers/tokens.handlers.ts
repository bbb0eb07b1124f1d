import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { KnotApi } from "../api.ts"
import { callerOrNamed, requireAdmin, requireOwner } from "../auth/access.ts"
import { CurrentUser } from "../auth/currentUser.ts"
import { Tokens } from "../auth/tokens.ts"
import { Users } from "../auth/users.ts"
import { storeErrors, tokenNotFound, userNotFound } from "../domainErrors.ts"

export const TokensHandlers = HttpApiBuilder.group(KnotApi, "tokens", (handlers) =>
  Effect.gen(function*() {
    const users = yield* Users
    const tokens = yield* Tokens

    return handlers
      .handle("create", ({ payload }) =>
        Effect.flatMap(callerOrNamed(users, payload.user), (user) =>
          tokens.issue({ user: user.id, ...(payload.name === undefined ? {} : { name: payload.name }) })).pipe(
            Effect.catchTags({ UserNotFound: userNotFound, ...storeErrors })
          ))
      .handle("list", ({ urlParams }) =>
        (urlParams.all === "true"
          ? Effect.zipRight(requireAdmin, tokens.list())
          : Effect.flatMap(CurrentUser, (user) => tokens.list({ user: user.id }))).pipe(Effect.catchTags(storeErrors)))
      .handle("revoke", ({ path }) =>
        Effect.flatMap(tokens.get(path.id), (token) =>
          Effect.zipRight(requireOwner(token.user, `token ${token.id}`), tokens.revoke(token.id))).pipe(
            Effect.catchTags({ TokenNotFound: tokenNotFound, ...storeErrors })
          ))
  }))
