import { Either, ParseResult, Schema } from "effect"

const lowerHex = (bytes: number) =>
  Schema.String.pipe(
    Schema.pattern(new RegExp(`^[0-9a-f]{${bytes * 2}}$`)),
    Schema.annotations({ message: () => `must be ${bytes * 2} lowercase hex characters` })
  )

/** The first message each side sends on the knot/1 channel; nothing else is accepted before it. */
export const Hello = Schema.Struct({
  v: Schema.Literal(1),
  /** The id the peer is known by in the Transport (and in record versions). */
  nodeId: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(256)),
  /** Must equal the Noise public key that the connection authenticated. */
  publicKey: lowerHex(32),
  /** Fresh per process start: tells a restarted peer from a duplicate connection. */
  session: lowerHex(16),
  /** HMAC-SHA256(key, handshake hash || publicKey): the cluster key, or a leaf's verifier. */
  mac: lowerHex(32),
  /** Only from a leaf: the name its credential was issued under, whose verifier keys `mac`. */
  leaf: Schema.optionalWith(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(63)), { exact: true })
})
export type Hello = typeof Hello.Type

/** A hello is a few hundred bytes; anything far larger is not worth parsing from an unauthenticated peer. */
export const MAX_HELLO_BYTES = 2048

const HelloJson = Schema.parseJson(Hello)
const encodeJson = Schema.encodeSync(HelloJson)
const decodeJson = Schema.decodeUnknownEither(HelloJson)

export const encodeHello = (hello: Hello): Uint8Array => new TextEncoder().encode(encodeJson(hello))

/** Fails with a reason fit for the log line that records the rejected peer. */
export const decodeHello = (bytes: Uint8Array): Either.Either<Hello, string> =>
  bytes.byteLength > MAX_HELLO_BYTES
    ? Either.left(`hello of ${bytes.byteLength} bytes exceeds ${MAX_HELLO_BYTES}`)
    : decodeJson(new TextDecoder().decode(bytes)).pipe(
        Either.mapLeft(
          (error) =>
            "malformed hello: " +
            ParseResult.ArrayFormatter.formatErrorSync(error)
              .map((issue) => `${issue.path.join(".") || "(root)"} ${issue.message}`)
              .join("; ")
        )
      )

/** Why a peer ends a connection: sent before it closes, so the other end can say why. */
export const MAX_REFUSAL_BYTES = 512

export const encodeRefusal = (reason: string): Uint8Array =>
  new TextEncoder().encode(reason.slice(0, MAX_REFUSAL_BYTES / 4))

export const decodeRefusal = (bytes: Uint8Array): string =>
  new TextDecoder().decode(bytes.subarray(0, MAX_REFUSAL_BYTES)).replace(/[\u0000-\u001f\u007f]/g, " ")
