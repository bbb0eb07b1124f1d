import { Duration, Schedule } from "effect"

/**
 * How an actor is restarted after a failure or defect. `schedule` gives the delay before
 * each restart (its `Out` is ignored); when it ends, or when `maxRestarts` restarts have
 * happened within `within`, the failure escalates to the parent.
 */
export interface SupervisionPolicy {
  readonly schedule: Schedule.Schedule<unknown, unknown>
  readonly maxRestarts: number
  readonly within: Duration.Duration
}

export interface ExponentialOptions {
  readonly base?: Duration.DurationInput
  readonly factor?: number
  readonly cap?: Duration.DurationInput
  /** Spread each delay over 80–120 % using Effect's `Random` (seeded in the simulator). */
  readonly jitter?: boolean
  readonly maxRestarts?: number
  readonly within?: Duration.DurationInput
}

/** Exponential backoff (base · factorⁿ), capped, optionally jittered, with a restart limit. */
export const exponential = (options: ExponentialOptions = {}): SupervisionPolicy => {
  const cap = Duration.decode(options.cap ?? "30 seconds")
  const growing = Schedule.exponential(options.base ?? "100 millis", options.factor ?? 2)
  const spread = options.jitter === false ? growing : Schedule.jittered(growing)
  return {
    schedule: spread.pipe(Schedule.modifyDelay((delay) => Duration.min(delay, cap))),
    maxRestarts: options.maxRestarts ?? 5,
    within: Duration.decode(options.within ?? "1 minute")
  }
}

/** Never restart: the first failure escalates at once. */
export const escalateAtOnce: SupervisionPolicy = {
  schedule: Schedule.stop,
  maxRestarts: 0,
  within: Duration.zero
}
