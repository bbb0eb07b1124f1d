/**
 * A space stream on a peer channel. The opener's header says which space, for whom, what,
 * and which node runs it; the far side answers `Opened` or `Refused` before anything else.
 * Data messages are output (far → opener: one byte of fd, then bytes) or input (opener → far:
 * bytes). Control messages carry the rest: input's end, a resize, the exit, an abort.
 */
import { Either, ParseResult, Schema } from "effect"
import { UserRole } from "../../storage/kinds/user.ts"
import { StreamOpenError } from "./spaceStreams.errors.ts"
import type { StreamChunk } from "./spaceStreams.ts"
import { StreamRequest } from "./streamRequest.ts"

/** Nodes a stream may cross: entry, origin, owner, and one more for a leaf's user reaching another leaf. */
export const MAX_HOPS = 4

export const StreamOpen = Schema.Struct({
  v: Schema.Literal(1),
  /** The space's creation id. */
  space: Schema.String,
  /** What people call it (`owner/name`), for messages. */
  label: Schema.String,
  /** The node that runs the space; a node on the way that is not it carries the stream on. */
  target: Schema.String,
  caller: Schema.Struct({ id: Schema.String, name: Schema.String, role: UserRole }),
  request: StreamRequest,
  hops: Schema.Int.pipe(Schema.between(1, MAX_HOPS))
})
export type StreamOpen = typeof StreamOpen.Type

export const StreamControl = Schema.Union(
  Schema.TaggedStruct("Opened", {}),
  Schema.TaggedStruct("Refused", { error: StreamOpenError }),
  /** Output ended; an exec's exit code. */
  Schema.TaggedStruct("Exit", { code: Schema.optionalWith(Schema.Int, { exact: true }) }),
  Schema.TaggedStruct("Aborted", { reason: Schema.String }),
  Schema.TaggedStruct("Eof", {}),
  Schema.TaggedStruct("Resize", { cols: Schema.Int, rows: Schema.Int })
)
export type StreamControl = typeof StreamControl.Type

const openJson = Schema.parseJson(StreamOpen)
const controlJson = Schema.parseJson(StreamControl)

export const encodeOpen = Schema.encodeSync(openJson)
export const decodeOpen = (text: string): Either.Either<StreamOpen, string> =>
  Either.mapLeft(Schema.decodeUnknownEither(openJson)(text), (error) => ParseResult.TreeFormatter.formatErrorSync(error))
export const encodeControl = Schema.encodeSync(controlJson)
export const decodeControl = (text: string): Either.Either<StreamControl, string> =>
  Either.mapLeft(Schema.decodeUnknownEither(controlJson)(text), (error) => ParseResult.TreeFormatter.formatErrorSync(error))

export const encodeChunk = (chunk: StreamChunk): Uint8Array => {
  const framed = new Uint8Array(chunk.bytes.byteLength + 1)
  framed[0] = chunk.fd
  framed.set(chunk.bytes, 1)
  return framed
}

export const decodeChunk = (bytes: Uint8Array): StreamChunk | undefined =>
  bytes.byteLength === 0 || (bytes[0] !== 1 && bytes[0] !== 2)
    ? undefined
    : { fd: bytes[0], bytes: bytes.subarray(1) }
