import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { randomBytes } from "node:crypto"
import { clusterTopic, helloMac, macMatches } from "../../transport/hyperswarm/clusterAuth.ts"
import { decodeHello, encodeHello, MAX_HELLO_BYTES } from "../../transport/hyperswarm/hello.ts"

const key = randomBytes(32)
const handshakeHash = randomBytes(64)

describe("cluster authentication", () => {
  it("derives a topic that is stable for a key and is not the key", () => {
    expect(clusterTopic(key)).toEqual(clusterTopic(Buffer.from(key)))
    expect(clusterTopic(key).byteLength).toBe(32)
    expect(clusterTopic(key).equals(key)).toBe(false)
  })

  it("derives different topics for different keys", () => {
    expect(clusterTopic(key).equals(clusterTopic(randomBytes(32)))).toBe(false)
  })

  it("binds the MAC to the sender's public key, so one end's proof does not pass for the other's", () => {
    const a = randomBytes(32)
    const b = randomBytes(32)
    expect(macMatches(helloMac(key, handshakeHash, a), helloMac(key, handshakeHash, b))).toBe(false)
  })

  it("binds the MAC to the connection's handshake hash", () => {
    const a = randomBytes(32)
    expect(macMatches(helloMac(key, handshakeHash, a), helloMac(key, randomBytes(64), a))).toBe(false)
  })

  it("accepts the same MAC and refuses one of another length without throwing", () => {
    const a = randomBytes(32)
    expect(macMatches(helloMac(key, handshakeHash, a), helloMac(key, handshakeHash, a))).toBe(true)
    expect(macMatches(helloMac(key, handshakeHash, a), new Uint8Array(3))).toBe(false)
  })
})

describe("hello", () => {
  const hello = {
    v: 1 as const,
    nodeId: "node-1",
    publicKey: "ab".repeat(32),
    session: "cd".repeat(16),
    mac: "ef".repeat(32)
  }

  it("round-trips through its wire form", () => {
    expect(Either.getOrThrow(decodeHello(encodeHello(hello)))).toEqual(hello)
  })

  it("refuses a hello with a malformed MAC, naming the field", () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ ...hello, mac: "zz" }))
    expect(Either.getLeft(decodeHello(bytes))._tag === "Some" && Either.getLeft(decodeHello(bytes))).toMatchObject({
      value: expect.stringContaining("mac must be 64 lowercase hex characters")
    })
  })

  it("refuses an oversized hello before parsing it", () => {
    const decoded = decodeHello(new Uint8Array(MAX_HELLO_BYTES + 1))
    expect(Either.isLeft(decoded) && decoded.left).toBe(`hello of ${MAX_HELLO_BYTES + 1} bytes exceeds ${MAX_HELLO_BYTES}`)
  })
})
