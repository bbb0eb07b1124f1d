import { HttpServerRequest } from "@effect/platform"
import { Effect, Layer } from "effect"
import { Unauthorized } from "../api.errors.ts"
import { Authentication } from "./authentication.ts"
import { Tokens } from "./tokens.ts"

const bearerScheme = /^bearer\s+/i

export const AuthenticationLive: Layer.Layer<Authentication, never, Tokens> = Layer.effect(
  Authentication,
  Effect.map(Tokens, (tokens) => ({
    bearer: () =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const header = request.headers.authorization?.trim() ?? ""
        if (header === "") {
          return yield* new Unauthorized({
            code: "missing_token",
            message: "this route needs a token: send `Authorization: Bearer <token>` (create one with `knot token create`)"
          })
        }
        if (!bearerScheme.test(header)) {
          return yield* new Unauthorized({
            code: "invalid_authorization",
            message: "the Authorization header must read `Bearer <token>`"
          })
        }
        return yield* tokens.authenticate(header.replace(bearerScheme, "")).pipe(
          // The middleware may only answer 401; a failing store becomes a 500 (requestErrors.ts).
          Effect.catchTags({ CorruptRecord: Effect.die, ClockDriftExceeded: Effect.die, StorageFailure: Effect.die }),
          Effect.mapError((error) => new Unauthorized({ code: "invalid_token", message: error.message }))
        )
      })
  }))
)
