import { Either, ParseResult, Schema } from "effect"
import type { PeerId } from "../transport.ts"
import { FrameTooLarge, MalformedFrame } from "../transport.errors.ts"

/** The envelope version this node writes and the only one it reads. */
export const FRAME_VERSION = 1

export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024

/** An opaque payload (the gossip protocol's bytes) in a versioned envelope. */
export const Frame = Schema.Struct({
  v: Schema.Literal(FRAME_VERSION).annotations({
    message: (issue) => `unsupported frame version ${String(issue.actual)} (this node reads version ${FRAME_VERSION})`
  }),
  payload: Schema.Uint8ArrayFromSelf
})
export type Frame = typeof Frame.Type

const frameBytes = ({ payload, v }: { readonly v: number; readonly payload: Uint8Array }): Uint8Array => {
  const bytes = new Uint8Array(payload.byteLength + 1)
  bytes[0] = v
  bytes.set(payload, 1)
  return bytes
}

/** The wire form of a Frame: one version byte, then the payload. */
export const FrameFromBytes = Schema.transformOrFail(
  Schema.Uint8ArrayFromSelf,
  Schema.Struct({ v: Schema.Number, payload: Schema.Uint8ArrayFromSelf }),
  {
    strict: true,
    decode: (bytes, _options, ast) => {
      const version = bytes[0]
      return version === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, bytes, "empty frame (no version byte)"))
        : ParseResult.succeed({ v: version, payload: bytes.slice(1) })
    },
    encode: (frame) => ParseResult.succeed(frameBytes(frame))
  }
).pipe(Schema.compose(Frame))

export interface FrameLimits {
  /** Largest encoded frame, version byte included. */
  readonly maxFrameBytes: number
}

export const defaultFrameLimits: FrameLimits = { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES }

const decodeBytes = Schema.decodeEither(FrameFromBytes)

/**
 * Wraps a payload for the wire. `from` names the sending node in the error, so a node that
 * tries to send too much learns which limit it hit.
 */
export const encodeFrame = (
  payload: Uint8Array,
  from: PeerId,
  limits: FrameLimits = defaultFrameLimits
): Either.Either<Uint8Array, FrameTooLarge> =>
  payload.byteLength + 1 > limits.maxFrameBytes
    ? tooLarge(payload.byteLength + 1, from, limits)
    : Either.right(frameBytes({ v: FRAME_VERSION, payload }))

const tooLarge = (size: number, from: PeerId, limits: FrameLimits) =>
  Either.left(new FrameTooLarge({ peer: from, size, limit: limits.maxFrameBytes }))

const utf8 = new TextEncoder()
const versionChar = String.fromCharCode(FRAME_VERSION)

/**
 * `encodeFrame` of `text` in UTF-8, in one pass: the version (below 0x80) is the first
 * character of what is encoded, so the payload is not copied behind it.
 */
export const encodeTextFrame = (
  text: string,
  from: PeerId,
  limits: FrameLimits = defaultFrameLimits
): Either.Either<Uint8Array, FrameTooLarge> => {
  const bytes = utf8.encode(versionChar + text)
  return bytes.byteLength > limits.maxFrameBytes ? tooLarge(bytes.byteLength, from, limits) : Either.right(bytes)
}

/** Unwraps a frame received from `from`; the payload is a copy the caller may keep. */
export const decodeFrame = (
  bytes: Uint8Array,
  from: PeerId,
  limits: FrameLimits = defaultFrameLimits
): Either.Either<Uint8Array, FrameTooLarge | MalformedFrame> => {
  if (bytes.byteLength > limits.maxFrameBytes) return tooLarge(bytes.byteLength, from, limits)
  return decodeBytes(bytes).pipe(
    Either.map((frame) => frame.payload),
    Either.mapLeft((error) => new MalformedFrame({ peer: from, reason: formatIssue(error) }))
  )
}

const formatIssue = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => issue.message)
    .join("; ")
