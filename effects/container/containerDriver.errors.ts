import { Data } from "effect"

/** No engine answers on the configured socket. */
export class EngineUnreachable extends Data.TaggedError("EngineUnreachable")<{
  readonly socket: string
  readonly reason: string
}> {
  override get message() {
    return `no container engine answers at ${this.socket} (${this.reason}); start Docker or Podman, or set [docker] socket in the config`
  }
}

export class ImageNotFound extends Data.TaggedError("ImageNotFound")<{ readonly image: string }> {
  override get message() {
    return `image ${this.image} is not on this node; load or build it first (no registry is contacted)`
  }
}

export class ContainerNotFound extends Data.TaggedError("ContainerNotFound")<{ readonly id: string }> {
  override get message() {
    return `container ${this.id} does not exist`
  }
}

/** The engine refused an operation for another reason; `reason` is the engine's own words. */
export class ContainerOperationFailed extends Data.TaggedError("ContainerOperationFailed")<{
  readonly operation: string
  readonly id: string
  readonly reason: string
}> {
  override get message() {
    return `container ${this.operation} failed for ${this.id}: ${this.reason}`
  }
}

export type ContainerError = EngineUnreachable | ImageNotFound | ContainerNotFound | ContainerOperationFailed
