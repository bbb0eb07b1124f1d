/** What every sign-in path (bearer token, browser password) does alike with a failure: count it, and lock out an address that keeps failing. */
import { Effect, Metric } from "effect"
import { TooManyRequests } from "../api.errors.ts"
import type { SignInLimiter } from "./signInLimiter.ts"

/** Counted for /metrics, by what was wrong. */
export const failedSignIns = Metric.counter("knot_auth_failures_total", {
  description: "requests refused for a missing, unknown, revoked or disabled token, or a locked-out address",
  incremental: true
})

export const countFailedSignIn = (reason: string) => Metric.increment(Metric.tagged(failedSignIns, "reason", reason))

/** A 429 naming the wait while `address` is locked out; nothing otherwise. */
export const refuseWhileLockedOut = (limiter: SignInLimiter, address: string): Effect.Effect<void, TooManyRequests> =>
  Effect.flatMap(limiter.waitFor(address), (wait) =>
    wait > 0
      ? Effect.zipRight(
        countFailedSignIn("locked_out"),
        Effect.fail(
          new TooManyRequests({
            code: "too_many_failed_sign_ins",
            message: `too many failed sign-ins from ${address}; try again in ${Math.ceil(wait / 1000)} s`
          })
        )
      )
      : Effect.void)
