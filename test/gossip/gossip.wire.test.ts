import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { Delta, type NodeId, StoredRecord, Version } from "../../storage/record.ts"
import { decodeGossip, encodeGossip, GOSSIP_PROTOCOL, GossipMessage, peekGossipTag } from "../../transport/gossip/gossip.wire.ts"
import { everyMessageKind, record } from "./gossipMessages.ts"

const limits = { maxFrameBytes: 4096 }
const utf8 = new TextEncoder()

// A copy of the bytes: a simulation run earlier in this process may have turned on
// remembering of encoded frames, and the round trip must parse what it decodes.
const roundTrip = (message: GossipMessage) =>
  Either.flatMap(encodeGossip(message, "n1", limits), (bytes) => decodeGossip(bytes.slice(), "n1", limits))

describe("gossip wire codec", () => {
  it("decodes what it encodes, for every message kind", () => {
    for (const message of everyMessageKind) expect(Either.getOrThrow(roundTrip(message))).toEqual(message)
  })

  it("refuses a message larger than the frame limit with FrameTooLarge", () => {
    const big = new StoredRecord({ ...record, value: "x".repeat(5000) })
    const encoded = encodeGossip({ _tag: "Push", records: [big], hops: 0 }, "n1", limits)
    expect(Either.isLeft(encoded) && encoded.left._tag).toBe("FrameTooLarge")
  })

  it("refuses an oversized incoming frame before decoding it", () => {
    const decoded = decodeGossip(new Uint8Array(limits.maxFrameBytes + 1), "n9", limits)
    expect(Either.isLeft(decoded) && decoded.left._tag).toBe("FrameTooLarge")
  })

  it("refuses bytes that are not JSON with MalformedFrame naming the peer", () => {
    const decoded = decodeGossip(new Uint8Array([1, ...utf8.encode("not json")]), "n9", limits)
    expect(Either.isLeft(decoded) && decoded.left._tag).toBe("MalformedFrame")
    expect(Either.isLeft(decoded) && decoded.left.message).toContain("n9")
  })

  it("refuses a message of another gossip protocol version with a reason to upgrade", () => {
    const payload = utf8.encode(JSON.stringify({ protocol: GOSSIP_PROTOCOL + 1, message: { _tag: "Ack", seq: 1, updates: [] } }))
    const decoded = decodeGossip(new Uint8Array([1, ...payload]), "n9", limits)
    expect(Either.isLeft(decoded) && decoded.left.message).toContain(`gossip protocol ${GOSSIP_PROTOCOL + 1}`)
  })

  it("refuses a probe from a node of the previous gossip protocol, so a mixed cluster drops those links", () => {
    const payload = utf8.encode(JSON.stringify({ protocol: GOSSIP_PROTOCOL - 1, message: { _tag: "Ping", seq: 1, updates: [] } }))
    const decoded = decodeGossip(new Uint8Array([1, ...payload]), "n9", limits)
    expect(Either.isLeft(decoded) && decoded.left.message).toContain(`gossip protocol ${GOSSIP_PROTOCOL - 1} is not spoken here`)
  })

  it("refuses a well-formed JSON message of an unknown kind", () => {
    const payload = utf8.encode(JSON.stringify({ protocol: GOSSIP_PROTOCOL, message: { _tag: "Teleport", to: "mars" } }))
    const decoded = decodeGossip(new Uint8Array([1, ...payload]), "n9", limits)
    expect(Either.isLeft(decoded) && decoded.left._tag).toBe("MalformedFrame")
  })

  it("writes every message byte for byte as the schema encodes it, those it writes past Schema too", () => {
    const envelope = Schema.encodeSync(Schema.Struct({ protocol: Schema.Literal(GOSSIP_PROTOCOL), message: GossipMessage }))
    // Fields out of the schema's order: a writer past Schema must put them back in it.
    const update = { zone: "a", incarnation: 3, status: "suspect", node: "n2" } as const
    const shuffled = new StoredRecord({
      deleted: true,
      version: new Version({ node: "n2" as NodeId, counter: 1, wall: 7 }),
      value: { b: [1, "x"], a: null },
      id: "s1",
      kind: "space"
    })
    const messages: ReadonlyArray<GossipMessage> = [
      ...everyMessageKind,
      { _tag: "Ping", seq: 1, updates: [update] },
      { _tag: "PingReq", seq: 2, target: "n3", updates: [update, update] },
      { _tag: "Ack", seq: 2, updates: [] },
      { _tag: "MembershipUpdates", updates: [update] },
      { reply: false, buckets: [0, 15], members: [update], _tag: "MembershipState" },
      { buckets: Array.from({ length: 16 }, () => ""), _tag: "MembershipSummary" },
      { hops: 0, records: [shuffled], _tag: "Push", until: "n9" },
      { share: shuffled.version, hops: 1, records: [], _tag: "Push" },
      { buckets: [3], digest: { n2: shuffled.version }, delta: new Delta({ upTo: { n2: shuffled.version }, records: [shuffled] }), _tag: "Delta" },
      {
        delta: new Delta({ after: { n2: shuffled.version }, upTo: { n2: shuffled.version }, records: [] }),
        _tag: "Delta"
      },
      {
        share: new Version({ node: "n3" as NodeId, counter: 0, wall: 9 }),
        delta: new Delta({ upTo: {}, records: [] }),
        _tag: "Delta"
      }
    ]
    for (const message of messages) {
      const written = Either.getOrThrow(encodeGossip(message, "n1", limits)).subarray(1)
      expect(new TextDecoder().decode(written)).toBe(JSON.stringify(envelope({ protocol: GOSSIP_PROTOCOL, message })))
    }
  })

  it("reads a membership message without its excess fields, as the schema does", () => {
    const update = { node: "n2", zone: "a", status: "alive", incarnation: 1 }
    const sent = { _tag: "Ack", seq: 4, extra: true, updates: [{ ...update, extra: "x" }] }
    const payload = utf8.encode(JSON.stringify({ protocol: GOSSIP_PROTOCOL, message: sent }))
    expect(Either.getOrThrow(decodeGossip(new Uint8Array([1, ...payload]), "n9", limits)))
      .toStrictEqual({ _tag: "Ack", seq: 4, updates: [update] })
  })

  it("refuses a membership message with a flawed rumour, naming the field", () => {
    const sent = { _tag: "Ping", seq: 1, updates: [{ node: "n2", zone: "a", status: "asleep", incarnation: 1 }] }
    const payload = utf8.encode(JSON.stringify({ protocol: GOSSIP_PROTOCOL, message: sent }))
    const decoded = decodeGossip(new Uint8Array([1, ...payload]), "n9", limits)
    expect(Either.isLeft(decoded) && decoded.left.message).toContain("updates.0.status")
  })

  it("reads a frame's message kind without decoding it", () => {
    const bytes = Either.getOrThrow(encodeGossip({ _tag: "PingReq", seq: 9, target: "n2", updates: [] }, "n1", limits))
    expect(peekGossipTag(bytes)).toBe("PingReq")
  })
})
