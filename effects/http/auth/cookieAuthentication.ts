/**
 * A request signed in by the browser's session cookie instead of a bearer token. A write
 * (any method but GET, HEAD, OPTIONS) must also carry the session's CSRF proof in
 * `X-Knot-CSRF` and come from this node's own pages: SameSite=Strict already keeps other
 * sites' requests from carrying the cookie, the proof holds where that does not (old
 * browsers, a sibling host under the same site).
 *
 * Failed cookies are not counted by the sign-in limiter: a session secret is 256 random bits,
 * so guessing is hopeless, and a browser holding a revoked cookie would lock its own address out.
 */
import { timingSafeEqual } from "node:crypto"
import { Effect } from "effect"
import { Forbidden, Unauthorized } from "../api.errors.ts"
import type { AuthenticatedUser } from "./currentUser.ts"
import { sameOrigin } from "./sameOrigin.ts"
import type { SessionsShape } from "./sessions.ts"
import { CSRF_HEADER, csrfProofOf } from "./sessionSecret.ts"

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"])

interface CookieRequest {
  readonly method: string
  readonly headers: Readonly<Record<string, string | undefined>>
}

const sameProof = (sent: string | undefined, expected: string) =>
  sent !== undefined && sent.length === expected.length && timingSafeEqual(Buffer.from(sent), Buffer.from(expected))

export const authenticateCookie = (
  sessions: SessionsShape,
  request: CookieRequest,
  secret: string
): Effect.Effect<AuthenticatedUser, Unauthorized | Forbidden> =>
  Effect.gen(function*() {
    const { user } = yield* sessions.authenticate(secret).pipe(
      Effect.catchTags({ CorruptRecord: Effect.die, ClockDriftExceeded: Effect.die, StorageFailure: Effect.die }),
      Effect.mapError((error) => new Unauthorized({ code: "invalid_session", message: error.message }))
    )
    if (!safeMethods.has(request.method)) {
      if (!sameOrigin(request)) {
        return yield* new Forbidden({ code: "cross_origin", message: "a write signed in by cookie must come from this node's own pages" })
      }
      if (!sameProof(request.headers[CSRF_HEADER], csrfProofOf(secret))) {
        return yield* new Forbidden({
          code: "csrf_proof_missing",
          message: `a write signed in by cookie needs the session's CSRF proof in ${CSRF_HEADER} (from GET /api/sessions/current)`
        })
      }
    }
    return user
  })
