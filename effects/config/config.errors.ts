import { Data } from "effect"

/**
 * The node's config cannot be used. `problems` holds every problem found, one line each
 * (`[cluster] key must be 64 hex characters (got 12)`); the message names the file and the first.
 */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly source: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    const more = this.problems.length - 1
    const first = this.problems[0] ?? "is not valid"
    return `config ${this.source}: ${first}${more > 0 ? ` (and ${more} more problem${more > 1 ? "s" : ""})` : ""}`
  }
}
