import { Data, Duration } from "effect"

/** An `ask` got no reply within its timeout; the message may still be handled later. */
export class AskTimeout extends Data.TaggedError("AskTimeout")<{
  readonly path: string
  readonly timeout: Duration.Duration
}> {
  override get message() {
    return `actor ${this.path} did not reply within ${Duration.format(this.timeout)}`
  }
}

/** The actor is stopped, or stopped or crashed before it replied. */
export class ActorStopped extends Data.TaggedError("ActorStopped")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `actor ${this.path} is not running (${this.reason})`
  }
}

/** A sibling with the same name is already running under the same parent. */
export class ActorNameTaken extends Data.TaggedError("ActorNameTaken")<{ readonly path: string }> {
  override get message() {
    return `an actor named ${this.path} is already running`
  }
}

/** What a parent fails with when it escalates a child's failure to its own supervisor. */
export class ChildEscalated extends Data.TaggedError("ChildEscalated")<{
  readonly child: string
  readonly reason: string
}> {
  override get message() {
    return `child ${this.child} failed beyond its restart limit: ${this.reason}`
  }
}
