/**
 * Failed sign-ins per source address, with backoff: the first few failures in a window are
 * free (people mistype), each one after them locks the address out for twice as long as the
 * last (from a quarter second up to a minute), and a lockout is answered before any token is
 * looked at, so guessing costs the guesser time and the node nothing. A success clears it.
 */
import { Clock, Effect } from "effect"

export interface SignInPolicy {
  readonly freeFailures: number
  readonly windowMs: number
  readonly firstLockoutMs: number
  readonly longestLockoutMs: number
  /** Addresses tracked at once; the oldest are forgotten past it. */
  readonly addresses: number
}

export const defaultSignInPolicy: SignInPolicy = {
  freeFailures: 5,
  windowMs: 60_000,
  firstLockoutMs: 250,
  longestLockoutMs: 60_000,
  addresses: 10_000
}

interface Attempts {
  failures: number
  lastFailureAt: number
  lockedUntil: number
}

export interface SignInLimiter {
  /** How long `address` must still wait before it may try again; 0 when it may now. */
  readonly waitFor: (address: string) => Effect.Effect<number>
  /** Records a failure; answers how many there have been in the window and the lockout it earned (0: none). */
  readonly failed: (address: string) => Effect.Effect<{ readonly failures: number; readonly lockedForMs: number }>
  readonly succeeded: (address: string) => Effect.Effect<void>
}

export const makeSignInLimiter = (policy: SignInPolicy = defaultSignInPolicy): SignInLimiter => {
  const byAddress = new Map<string, Attempts>()
  return {
    waitFor: (address) =>
      Effect.map(Clock.currentTimeMillis, (now) => Math.max(0, (byAddress.get(address)?.lockedUntil ?? 0) - now)),
    failed: (address) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const previous = byAddress.get(address)
        const attempts = previous === undefined || now - previous.lastFailureAt > policy.windowMs
          ? { failures: 0, lastFailureAt: now, lockedUntil: 0 }
          : previous
        attempts.failures++
        attempts.lastFailureAt = now
        const over = attempts.failures - policy.freeFailures
        const lockedForMs = over <= 0 ? 0 : Math.min(policy.longestLockoutMs, policy.firstLockoutMs * 2 ** (over - 1))
        attempts.lockedUntil = now + lockedForMs
        // Re-inserted last, so the map's order is the order of last failure: the first key is the oldest.
        byAddress.delete(address)
        byAddress.set(address, attempts)
        if (byAddress.size > policy.addresses) byAddress.delete(byAddress.keys().next().value!)
        return { failures: attempts.failures, lockedForMs }
      }),
    succeeded: (address) => Effect.sync(() => void byAddress.delete(address))
  }
}
