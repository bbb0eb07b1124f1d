import { HttpServerRequest } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { Unauthorized } from "../api.errors.ts"
import { noteRequestUser } from "../audit/requestUser.ts"
import { Authentication } from "./authentication.ts"
import { makeSignInLimiter, type SignInPolicy } from "./signInLimiter.ts"
import { countFailedSignIn, refuseWhileLockedOut } from "./signInRefusals.ts"
import { tokenIdOf } from "./tokenSecret.ts"
import { Tokens } from "./tokens.ts"
import { authenticateCookie } from "./cookieAuthentication.ts"
import { Sessions } from "./sessions.ts"
import { SESSION_COOKIE } from "./sessionSecret.ts"

const bearerScheme = /^bearer\s+/i

export const makeAuthenticationLive = (policy?: SignInPolicy): Layer.Layer<Authentication, never, Tokens | Sessions> =>
  Layer.effect(
    Authentication,
    Effect.map(Effect.all([Tokens, Sessions]), ([tokens, sessions]) => {
      const limiter = makeSignInLimiter(policy)
      return {
        bearer: () =>
          Effect.gen(function*() {
            const request = yield* HttpServerRequest.HttpServerRequest
            const address = Option.getOrElse(request.remoteAddress, () => "unknown")
            yield* refuseWhileLockedOut(limiter, address)
            const header = request.headers.authorization?.trim() ?? ""
            const cookie = request.cookies[SESSION_COOKIE]
            if (header === "" && cookie !== undefined && cookie !== "") {
              return yield* authenticateCookie(sessions, request, cookie).pipe(
                Effect.tap((user) => noteRequestUser(user.id)),
                Effect.tapError((error) => countFailedSignIn(error.code))
              )
            }
            if (header === "") {
              yield* countFailedSignIn("missing_token")
              return yield* new Unauthorized({
                code: "missing_token",
                message: "this route needs a token: send `Authorization: Bearer <token>` (create one with `knot token create`)"
              })
            }
            if (!bearerScheme.test(header)) {
              yield* countFailedSignIn("invalid_authorization")
              return yield* new Unauthorized({
                code: "invalid_authorization",
                message: "the Authorization header must read `Bearer <token>`"
              })
            }
            const secret = header.replace(bearerScheme, "")
            return yield* tokens.authenticate(secret).pipe(
              // The middleware may only answer 401 or 429; a failing store becomes a 500 (requestErrors.ts).
              Effect.catchTags({ CorruptRecord: Effect.die, ClockDriftExceeded: Effect.die, StorageFailure: Effect.die }),
              Effect.tap((user) => Effect.zipRight(limiter.succeeded(address), noteRequestUser(user.id))),
              Effect.tapError(() =>
                Effect.gen(function*() {
                  yield* countFailedSignIn("invalid_token")
                  const { failures, lockedForMs } = yield* limiter.failed(address)
                  yield* Effect.logWarning(
                    `failed sign-in from ${address} (token id ${tokenIdOf(secret)}, ${failures} in a row)` +
                      (lockedForMs > 0 ? `; locked out for ${lockedForMs} ms` : "")
                  )
                })
              ),
              Effect.mapError((error) => new Unauthorized({ code: "invalid_token", message: error.message }))
            )
          })
      }
    })
  )
