import { Data } from "effect"

/** A frame larger than the codec allows; the sender is dropped. */
export class FrameTooLarge extends Data.TaggedError("FrameTooLarge")<{
  readonly peer: string
  readonly size: number
  readonly limit: number
}> {
  override get message() {
    return `frame of ${this.size} bytes from ${this.peer} exceeds the ${this.limit}-byte limit`
  }
}

/** A frame that does not decode as any message of the wire protocol; the sender is dropped. */
export class MalformedFrame extends Data.TaggedError("MalformedFrame")<{
  readonly peer: string
  readonly reason: string
}> {
  override get message() {
    return `malformed frame from ${this.peer}: ${this.reason}`
  }
}

export class TransportClosed extends Data.TaggedError("TransportClosed")<{ readonly reason: string }> {
  override get message() {
    return `transport closed: ${this.reason}`
  }
}

export type TransportError = FrameTooLarge | MalformedFrame | TransportClosed
