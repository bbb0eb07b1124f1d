import { Data } from "effect"

/** The node's Noise key pair file cannot be read, decoded or created. */
export class KeyPairFileError extends Data.TaggedError("KeyPairFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `node key pair ${this.path}: ${this.reason}`
  }
}

/** The Hyperswarm transport cannot start: bad options, or its DHT socket cannot bind. */
export class TransportStartFailed extends Data.TaggedError("TransportStartFailed")<{
  readonly reason: string
}> {
  override get message() {
    return `cannot start the cluster transport: ${this.reason}`
  }
}
