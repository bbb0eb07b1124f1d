import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { Delta, StoredRecord, Version } from "../../storage/record.ts"
import type { NodeId } from "../../storage/record.ts"
import { decodeGossip, encodeGossip, type GossipMessage, rememberEncodedFrames } from "../../transport/gossip/gossip.wire.ts"

// The simulator's shortcut: a frame this process encoded decodes to the message it came
// from. Its own file, since turning it on lasts for the module's life.
rememberEncodedFrames()

const limits = { maxFrameBytes: 4096 }
const version = (node: string, wall: number) => new Version({ wall, counter: 0, node: node as NodeId })
const record = new StoredRecord({ kind: "template", id: "t1", value: { image: "x" }, version: version("n1", 5), deleted: false })

const messages: ReadonlyArray<GossipMessage> = [
  { _tag: "Ping", seq: 1, updates: [{ node: "n2", zone: "a", status: "suspect", incarnation: 3 }] },
  { _tag: "PingReq", seq: 2, target: "n3", updates: [] },
  { _tag: "Ack", seq: 2, updates: [] },
  { _tag: "MembershipUpdates", updates: [{ node: "n4", zone: "b", status: "dead", incarnation: 0 }] },
  { _tag: "Summary", buckets: Array.from({ length: 16 }, (_, i) => `h${i}`) },
  { _tag: "Digest", digest: { n1: version("n1", 5) }, buckets: [0, 15] },
  { _tag: "Delta", delta: new Delta({ records: [record], upTo: { n1: version("n1", 5) } }), digest: {} },
  { _tag: "Push", records: [record], hops: 4, until: "n7" }
]

const frameOf = (message: GossipMessage) => Either.getOrThrow(encodeGossip(message, "n1", limits))

describe("frames remembered by the process that encoded them", () => {
  it("decode to what parsing the same bytes gives, for every message kind", () => {
    for (const message of messages) {
      const frame = frameOf(message)
      const remembered = Either.getOrThrow(decodeGossip(frame, "n1", limits))
      const parsed = Either.getOrThrow(decodeGossip(new Uint8Array(frame), "n1", limits))
      expect(remembered).toEqual(parsed)
      expect(parsed).toEqual(message)
    }
  })

  it("a membership message comes back without excess fields, as parsing gives it", () => {
    const sent = { _tag: "Ack", seq: 9, updates: [], extra: "dropped" } as unknown as GossipMessage
    expect(Either.getOrThrow(decodeGossip(frameOf(sent), "n1", limits))).toEqual({ _tag: "Ack", seq: 9, updates: [] })
  })

  it("other bytes are parsed in full: a copy with a broken byte is refused", () => {
    const copy = new Uint8Array(frameOf(messages[0]!))
    copy[copy.length - 1] = 0x7b
    const decoded = decodeGossip(copy, "n1", limits)
    expect(Either.isLeft(decoded) && decoded.left._tag).toBe("MalformedFrame")
  })

  it("a remembered frame over the receiver's own limit is still refused", () => {
    const decoded = decodeGossip(frameOf(messages[6]!), "n1", { maxFrameBytes: 16 })
    expect(Either.isLeft(decoded) && decoded.left._tag).toBe("FrameTooLarge")
  })
})
