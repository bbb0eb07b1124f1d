import { Data } from "effect"

/** A value on disk that this version cannot decode; names the key so an operator can find it. */
export class CorruptRecord extends Data.TaggedError("CorruptRecord")<{
  readonly key: string
  readonly reason: string
}> {
  override get message() {
    return `stored record at key ${JSON.stringify(this.key)} cannot be decoded: ${this.reason}`
  }
}

/** A remote timestamp further ahead of this node's clock than the configured maximum drift. */
export class ClockDriftExceeded extends Data.TaggedError("ClockDriftExceeded")<{
  readonly remoteWall: number
  readonly localWall: number
  readonly maxDriftMs: number
}> {
  override get message() {
    return `remote clock is ${this.remoteWall - this.localWall} ms ahead of this node (limit ${this.maxDriftMs} ms); check NTP on both nodes`
  }
}

/** The database itself failed (open, read, write). */
export class StorageFailure extends Data.TaggedError("StorageFailure")<{
  readonly operation: string
  readonly reason: string
}> {
  override get message() {
    return `storage ${this.operation} failed: ${this.reason}`
  }
}

export type StoreError = CorruptRecord | ClockDriftExceeded | StorageFailure
