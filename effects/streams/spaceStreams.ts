import type { Effect, Scope, Stream } from "effect"
import { Context } from "effect"
import type { UserRole } from "../../storage/kinds/user.ts"
import type { StreamAborted, StreamOpenError } from "./spaceStreams.errors.ts"
import type { StreamRequest } from "./streamRequest.ts"

/** Who opens a stream, as the entry node authenticated them (a token, a session, an SSH key). */
export interface StreamCaller {
  readonly id: string
  readonly name: string
  readonly role: UserRole
}

/** A piece of output: fd 1 is stdout (and a TTY's merged output, a log's or a TCP peer's bytes), fd 2 stderr. */
export interface StreamChunk {
  readonly fd: 1 | 2
  readonly bytes: Uint8Array
}

/**
 * One open stream to a container, end to end. Pulling `output` is the flow control: no node
 * on the way reads ahead of the client by more than a bounded window, so a slow reader costs
 * bounded memory everywhere. `write` likewise waits while the far end has not taken enough.
 */
export interface SpaceStream {
  /** Ends when the far side ends its output; fails if the stream breaks (owner died, idle too long). */
  readonly output: Stream.Stream<StreamChunk, StreamAborted>
  /** An exec's exit code once `output` has ended; `undefined` for logs and TCP. */
  readonly exit: Effect.Effect<number | undefined, StreamAborted>
  readonly write: (bytes: Uint8Array) => Effect.Effect<void, StreamAborted>
  /** Closes the input (EOF on the command's stdin, a TCP half-close). */
  readonly endInput: Effect.Effect<void>
  /** A TTY exec's new window size; ignored otherwise. */
  readonly resize: (cols: number, rows: number) => Effect.Effect<void>
}

/**
 * Opens streams to spaces from any node: the node that takes the request checks the caller
 * (the space's owner, or an admin), carries the stream over the peer link to the space's owner
 * node (a leaf through its origin), and the owner checks again before it asks its engine.
 * Closing the scope ends the stream (and aborts it on every node when it is not finished).
 */
export interface SpaceStreamsShape {
  /** `space` is the space's creation id. */
  readonly open: (
    caller: StreamCaller,
    space: string,
    request: StreamRequest
  ) => Effect.Effect<SpaceStream, StreamOpenError, Scope.Scope>
}

export class SpaceStreams extends Context.Tag("knot/SpaceStreams")<SpaceStreams, SpaceStreamsShape>() {}
