import { Data } from "effect"

/**
 * The node's config cannot be used. `problems` holds every problem found, one line each
 * (`[cluster] key must be 64 hex characters (got 12)`); the message names the file and every
 * one of them, so that a person fixes them all in one go.
 */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly source: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    if (this.problems.length <= 1) return `config ${this.source}: ${this.problems[0] ?? "is not valid"}`
    return [`config ${this.source} has ${this.problems.length} problems:`, ...this.problems.map((problem) => `  ${problem}`)].join("\n")
  }
}
