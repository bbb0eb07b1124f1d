/**
 * Why a stream to a space could not open or ended early. Every front end (the API's
 * WebSockets, the SSH gateway, the web terminal) shows `message` to the person as it is.
 */
import { Data } from "effect"

/** The caller is neither the space's owner nor an admin (checked at the entry node and again at the owner). */
export class StreamForbidden extends Data.TaggedError("StreamForbidden")<{ readonly space: string }> {
  override get message() {
    return `space ${this.space} belongs to another user`
  }
}

export class StreamSpaceNotFound extends Data.TaggedError("StreamSpaceNotFound")<{ readonly space: string }> {
  override get message() {
    return `no space ${this.space}; see \`knot space list\``
  }
}

/** Exec and TCP need a running container; logs need one that exists. */
export class SpaceNotRunning extends Data.TaggedError("SpaceNotRunning")<{
  readonly space: string
  readonly observed: string
}> {
  override get message() {
    return `space ${this.space} is ${this.observed}, not running; start it with \`knot space start ${this.space}\``
  }
}

/** No path to the node that runs the space: it is down, cut off, or a leaf whose origin is. */
export class OwnerUnreachable extends Data.TaggedError("OwnerUnreachable")<{
  readonly space: string
  readonly node: string
  readonly detail: string
}> {
  override get message() {
    return `space ${this.space} runs on node ${this.node}, which cannot be reached now: ${this.detail}`
  }
}

/** Past `[streams] max_per_user`: each open stream holds buffers on every node it crosses. */
export class StreamLimitReached extends Data.TaggedError("StreamLimitReached")<{
  readonly user: string
  readonly limit: number
}> {
  override get message() {
    return `${this.user} has ${this.limit} streams open, the most this node allows; close one (a shell, a forward) and retry`
  }
}

/** The engine refused or failed the stream (a command that does not exist, a port with no tool to reach it). */
export class StreamFailed extends Data.TaggedError("StreamFailed")<{ readonly space: string; readonly reason: string }> {
  override get message() {
    return `space ${this.space}: ${this.reason}`
  }
}

/** The stream broke after it opened: the owner died, a link dropped, it sat idle past the limit. */
export class StreamAborted extends Data.TaggedError("StreamAborted")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

export type StreamOpenError =
  | StreamForbidden
  | StreamSpaceNotFound
  | SpaceNotRunning
  | OwnerUnreachable
  | StreamLimitReached
  | StreamFailed
