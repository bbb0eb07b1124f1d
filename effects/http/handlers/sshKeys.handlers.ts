import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { SshKeys } from "../../ssh/sshKeys.ts"
import { BadRequest, Conflict, NotFound } from "../api.errors.ts"
import { KnotApi } from "../api.ts"
import { callerOrNamed, requireAdmin, requireOwner } from "../auth/access.ts"
import { CurrentUser } from "../auth/currentUser.ts"
import { Users } from "../auth/users.ts"
import { storeErrors, userNotFound } from "../domainErrors.ts"

export const SshKeysHandlers = HttpApiBuilder.group(KnotApi, "sshKeys", (handlers) =>
  Effect.gen(function*() {
    const users = yield* Users
    const keys = yield* SshKeys

    return handlers
      .handle("add", ({ payload }) =>
        Effect.flatMap(callerOrNamed(users, payload.user), (user) =>
          keys.add({
            user: user.id,
            publicKey: payload.publicKey,
            ...(payload.name === undefined ? {} : { name: payload.name })
          })).pipe(
            Effect.catchTags({
              UserNotFound: userNotFound,
              SshKeyInvalid: (error) => new BadRequest({ code: "ssh_key_invalid", message: error.message }),
              SshKeyTaken: (error) => new Conflict({ code: "ssh_key_taken", message: error.message }),
              ...storeErrors
            })
          ))
      .handle("list", ({ urlParams }) =>
        Effect.gen(function*() {
          if (urlParams.all === "true") {
            yield* requireAdmin
            return yield* keys.list()
          }
          const caller = yield* CurrentUser
          const user = urlParams.user ?? caller.id
          if (user !== caller.id) yield* requireAdmin
          return yield* keys.list({ user })
        }).pipe(Effect.catchTags(storeErrors)))
      .handle("remove", ({ path }) =>
        Effect.flatMap(keys.get(path.id), (key) =>
          Effect.zipRight(requireOwner(key.user, `SSH key ${key.fingerprint}`), keys.remove(key.id))).pipe(
            Effect.catchTags({
              SshKeyNotFound: (error) => new NotFound({ code: "ssh_key_not_found", message: error.message }),
              ...storeErrors
            })
          ))
  }))
