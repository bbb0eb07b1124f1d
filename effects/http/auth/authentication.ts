import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { Schema } from "effect"
import { Forbidden, TooManyRequests, Unauthorized } from "../api.errors.ts"
import { CurrentUser } from "./currentUser.ts"

/**
 * `Authorization: Bearer <token>` on every route but /health, or a browser's session cookie
 * (403 for a write without its CSRF proof); the implementation: authentication.live.ts.
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("knot/http/Authentication", {
  failure: Schema.Union(Unauthorized, TooManyRequests, Forbidden),
  provides: CurrentUser,
  security: { bearer: HttpApiSecurity.bearer }
}) {}
