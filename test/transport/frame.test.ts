import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { decodeFrame, DEFAULT_MAX_FRAME_BYTES, encodeFrame, encodeTextFrame, FRAME_VERSION } from "../../transport/codec/frame.ts"

const limits = { maxFrameBytes: 64 }

describe("frame codec", () => {
  it("gives back any payload that fits the limit", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: limits.maxFrameBytes - 1 }), (payload) => {
        const frame = Either.getOrThrow(encodeFrame(payload, "a", limits))
        expect(Either.getOrThrow(decodeFrame(frame, "a", limits))).toEqual(payload)
      })
    )
  })

  it("frames text as the same bytes as its UTF-8 payload, within the same limit", () => {
    const utf8 = new TextEncoder()
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (text) => {
        const direct = encodeTextFrame(text, "a", limits)
        const viaPayload = encodeFrame(utf8.encode(text), "a", limits)
        expect(Either.isRight(direct)).toBe(Either.isRight(viaPayload))
        if (Either.isRight(direct) && Either.isRight(viaPayload)) expect([...direct.right]).toEqual([...viaPayload.right])
        if (Either.isLeft(direct) && Either.isLeft(viaPayload)) expect(direct.left.message).toBe(viaPayload.left.message)
      })
    )
  })

  it("starts every frame with the version byte", () => {
    expect([...Either.getOrThrow(encodeFrame(new Uint8Array([7, 8]), "a"))]).toEqual([FRAME_VERSION, 7, 8])
  })

  it("defaults the limit to 1 MiB, version byte included", () => {
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(1024 * 1024)
    expect(Either.isRight(encodeFrame(new Uint8Array(DEFAULT_MAX_FRAME_BYTES - 1), "a"))).toBe(true)
    expect(Either.isLeft(encodeFrame(new Uint8Array(DEFAULT_MAX_FRAME_BYTES), "a"))).toBe(true)
  })

  it("refuses to encode a payload over the limit with FrameTooLarge naming the sender", () => {
    const error = Either.getLeft(encodeFrame(new Uint8Array(64), "node-a", limits))
    expect(error._tag).toBe("Some")
    if (error._tag === "Some") {
      expect(error.value._tag).toBe("FrameTooLarge")
      expect(error.value.message).toBe("frame of 65 bytes from node-a exceeds the 64-byte limit")
    }
  })

  it("rejects a received frame over the limit with FrameTooLarge", () => {
    const decoded = decodeFrame(new Uint8Array(65).fill(FRAME_VERSION, 0, 1), "node-b", limits)
    expect(Either.isLeft(decoded) && decoded.left._tag).toBe("FrameTooLarge")
  })

  it("rejects a frame of another version with MalformedFrame naming the version", () => {
    const decoded = decodeFrame(new Uint8Array([2, 1, 1]), "node-b", limits)
    expect(Either.isLeft(decoded) && decoded.left.message).toBe(
      "malformed frame from node-b: unsupported frame version 2 (this node reads version 1)"
    )
  })

  it("rejects an empty frame with MalformedFrame", () => {
    const decoded = decodeFrame(new Uint8Array(0), "node-b", limits)
    expect(Either.isLeft(decoded) && decoded.left.message).toBe("malformed frame from node-b: empty frame (no version byte)")
  })

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
        const decoded = decodeFrame(bytes, "x", limits)
        expect(Either.isLeft(decoded) || bytes[0] === FRAME_VERSION).toBe(true)
      })
    )
  })

  it("hands out a payload that does not alias the received buffer", () => {
    const received = new Uint8Array([FRAME_VERSION, 5, 6])
    const payload = Either.getOrThrow(decodeFrame(received, "x", limits))
    received[1] = 0
    expect([...payload]).toEqual([5, 6])
  })
})
