import { Data } from "effect"

/**
 * An event that the machine has no transition for in its current state. xstate drops such
 * events silently; knot refuses them so that a caller always learns that nothing happened.
 */
export class IllegalTransition extends Data.TaggedError("IllegalTransition")<{
  readonly machine: string
  readonly state: string
  readonly event: string
  /** Why the event does not apply when the state's name alone does not say it. */
  readonly detail?: string
}> {
  override get message() {
    const because = this.detail === undefined ? "" : ` (${this.detail})`
    return `cannot apply ${this.event} to a ${this.machine} that is ${this.state}${because}`
  }
}
