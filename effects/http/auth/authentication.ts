import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { Schema } from "effect"
import { TooManyRequests, Unauthorized } from "../api.errors.ts"
import { CurrentUser } from "./currentUser.ts"

/** `Authorization: Bearer <token>` on every route but /health; the implementation: authentication.live.ts. */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("knot/http/Authentication", {
  failure: Schema.Union(Unauthorized, TooManyRequests),
  provides: CurrentUser,
  security: { bearer: HttpApiSecurity.bearer }
}) {}
