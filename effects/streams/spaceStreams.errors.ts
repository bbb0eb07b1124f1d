/**
 * Why a stream to a space could not open or ended early. Every front end (the API's
 * WebSockets, the SSH gateway, the web terminal) shows `message` to the person as it is. The
 * errors an open can end in are Schemas: the owner node sends them back to the entry node.
 */
import { Schema } from "effect"

/** The caller is neither the space's owner nor an admin (checked at the entry node and again at the owner). */
export class StreamForbidden extends Schema.TaggedError<StreamForbidden>()("StreamForbidden", {
  space: Schema.String
}) {
  override get message() {
    return `space ${this.space} belongs to another user`
  }
}

export class StreamSpaceNotFound extends Schema.TaggedError<StreamSpaceNotFound>()("StreamSpaceNotFound", {
  space: Schema.String
}) {
  override get message() {
    return `no space ${this.space}; see \`knot space list\``
  }
}

/** Exec and TCP need a running container; logs need one that exists. */
export class SpaceNotRunning extends Schema.TaggedError<SpaceNotRunning>()("SpaceNotRunning", {
  space: Schema.String,
  observed: Schema.String
}) {
  override get message() {
    // A space reported running whose container its owner does not know yet is mid-start, not stopped.
    if (this.observed === "running") {
      return `space ${this.space} has no container on its node yet; retry in a moment`
    }
    return `space ${this.space} is ${this.observed}, not running; start it with \`knot space start ${this.space}\``
  }
}

/** No path to the node that runs the space: it is down, cut off, or a leaf whose origin is. */
export class OwnerUnreachable extends Schema.TaggedError<OwnerUnreachable>()("OwnerUnreachable", {
  space: Schema.String,
  node: Schema.String,
  detail: Schema.String
}) {
  override get message() {
    return `space ${this.space} runs on node ${this.node}, which cannot be reached now: ${this.detail}`
  }
}

/** Past `[streams] max_per_user`: each open stream holds buffers on every node it crosses. */
export class StreamLimitReached extends Schema.TaggedError<StreamLimitReached>()("StreamLimitReached", {
  user: Schema.String,
  limit: Schema.Number
}) {
  override get message() {
    return `${this.user} has ${this.limit} streams open, the most a node allows one user; close one (a shell, a forward) and retry`
  }
}

/** The engine refused or failed the stream (no such container, an engine that does not answer). */
export class StreamFailed extends Schema.TaggedError<StreamFailed>()("StreamFailed", {
  space: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `space ${this.space}: ${this.reason}`
  }
}

/** The stream broke after it opened: the owner died, a link dropped, it sat idle past the limit. */
export class StreamAborted extends Schema.TaggedError<StreamAborted>()("StreamAborted", {
  reason: Schema.String
}) {
  override get message() {
    return this.reason
  }
}

export const StreamOpenError = Schema.Union(
  StreamForbidden,
  StreamSpaceNotFound,
  SpaceNotRunning,
  OwnerUnreachable,
  StreamLimitReached,
  StreamFailed
)
export type StreamOpenError = typeof StreamOpenError.Type
