import { HttpServerRequest } from "@effect/platform"
import { Effect, Layer, Metric, Option } from "effect"
import { TooManyRequests, Unauthorized } from "../api.errors.ts"
import { noteRequestUser } from "../audit/requestUser.ts"
import { Authentication } from "./authentication.ts"
import { makeSignInLimiter, type SignInPolicy } from "./signInLimiter.ts"
import { tokenIdOf } from "./tokenSecret.ts"
import { Tokens } from "./tokens.ts"
import { authenticateCookie } from "./cookieAuthentication.ts"
import { Sessions } from "./sessions.ts"
import { SESSION_COOKIE } from "./sessionSecret.ts"

const bearerScheme = /^bearer\s+/i

/** Counted for /metrics, by what was wrong. */
export const failedSignIns = Metric.counter("knot_auth_failures_total", {
  description: "requests refused for a missing, unknown, revoked or disabled token, or a locked-out address",
  incremental: true
})

export const makeAuthenticationLive = (policy?: SignInPolicy): Layer.Layer<Authentication, never, Tokens | Sessions> =>
  Layer.effect(
    Authentication,
    Effect.map(Effect.all([Tokens, Sessions]), ([tokens, sessions]) => {
      const limiter = makeSignInLimiter(policy)
      const count = (reason: string) => Metric.increment(Metric.tagged(failedSignIns, "reason", reason))
      return {
        bearer: () =>
          Effect.gen(function*() {
            const request = yield* HttpServerRequest.HttpServerRequest
            const address = Option.getOrElse(request.remoteAddress, () => "unknown")
            const wait = yield* limiter.waitFor(address)
            if (wait > 0) {
              yield* count("locked_out")
              return yield* new TooManyRequests({
                code: "too_many_failed_sign_ins",
                message: `too many failed sign-ins from ${address}; try again in ${Math.ceil(wait / 1000)} s`
              })
            }
            const header = request.headers.authorization?.trim() ?? ""
            const cookie = request.cookies[SESSION_COOKIE]
            if (header === "" && cookie !== undefined && cookie !== "") {
              return yield* authenticateCookie(sessions, request, cookie).pipe(
                Effect.tap((user) => noteRequestUser(user.id)),
                Effect.tapError((error) => count(error.code))
              )
            }
            if (header === "") {
              yield* count("missing_token")
              return yield* new Unauthorized({
                code: "missing_token",
                message: "this route needs a token: send `Authorization: Bearer <token>` (create one with `knot token create`)"
              })
            }
            if (!bearerScheme.test(header)) {
              yield* count("invalid_authorization")
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
                  yield* count("invalid_token")
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
