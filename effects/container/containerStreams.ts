import type { Effect, Scope } from "effect"
import { Context, Data } from "effect"
import type { SpaceStream } from "../streams/spaceStreams.ts"
import type { StreamRequest } from "../streams/streamRequest.ts"

/** The engine would not open the stream: no such container, no answer, a command it cannot start. */
export class ContainerStreamFailed extends Data.TaggedError("ContainerStreamFailed")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/**
 * The engine side of a space stream, on the node that owns the space: an exec, the logs, or a
 * TCP connection inside the container, as one `SpaceStream`. Closing the scope ends it.
 */
export interface ContainerStreamsShape {
  readonly open: (
    containerId: string,
    request: StreamRequest
  ) => Effect.Effect<SpaceStream, ContainerStreamFailed, Scope.Scope>
}

export class ContainerStreams extends Context.Tag("knot/ContainerStreams")<ContainerStreams, ContainerStreamsShape>() {}
