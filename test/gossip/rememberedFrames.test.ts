import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { decodeGossip, encodeGossip, type GossipMessage, rememberEncodedFrames } from "../../transport/gossip/gossip.wire.ts"
import { everyMessageKind } from "./gossipMessages.ts"

// The simulator's shortcut: a frame this process encoded decodes to the message it came
// from. Its own file, since turning it on lasts for the module's life.
rememberEncodedFrames()

const limits = { maxFrameBytes: 4096 }
const frameOf = (message: GossipMessage) => Either.getOrThrow(encodeGossip(message, "n1", limits))

describe("frames remembered by the process that encoded them", () => {
  it("decode to what parsing the same bytes gives, for every message kind", () => {
    for (const message of everyMessageKind) {
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

  it("a message the schema refuses is not remembered: its receiver parses it and refuses it, as a real peer would", () => {
    const sent = { _tag: "Push", records: [], hops: 10_000 } as GossipMessage
    const decoded = decodeGossip(frameOf(sent), "n1", limits)
    expect(Either.isLeft(decoded) && decoded.left._tag).toBe("MalformedFrame")
  })

  it("decode as parsing the same bytes does, for membership and summary messages with a flaw in any field", () => {
    const update = { node: "n2", zone: "a", status: "alive", incarnation: 1 }
    const hashes = Array.from({ length: 16 }, (_, i) => `h${i}`)
    const flawed: ReadonlyArray<unknown> = [
      { _tag: "Ping", seq: Number.NaN, updates: [] },
      { _tag: "Ping", seq: "1", updates: [] },
      { _tag: "Ping", seq: 1, updates: [{ ...update, status: "zombie" }] },
      { _tag: "Ping", seq: 1, updates: [{ ...update, incarnation: Number.POSITIVE_INFINITY }] },
      { _tag: "PingReq", seq: 1, updates: [] },
      { _tag: "Ack", seq: 1, updates: [{ ...update, node: 5 }] },
      { _tag: "MembershipUpdates", updates: [{ node: "n2", status: "dead", incarnation: 0 }] },
      { _tag: "MembershipSummary", buckets: hashes.slice(1) },
      { _tag: "MembershipSummary", buckets: [...hashes.slice(1), "x".repeat(65)] },
      { _tag: "Summary", buckets: [...hashes, "h16"] },
      { _tag: "Summary", buckets: [...hashes.slice(1), 7] },
      { _tag: "MembershipState", members: [update], buckets: [16], reply: true },
      { _tag: "MembershipState", members: [update], buckets: [1.5], reply: true },
      { _tag: "MembershipState", members: [update], buckets: Array.from({ length: 17 }, () => 0), reply: true },
      { _tag: "MembershipState", members: [update], buckets: [1], reply: "yes" },
      { _tag: "MembershipState", members: [{ ...update, zone: 3 }], buckets: [1], reply: false }
    ]
    for (const message of flawed) {
      const frame = frameOf(message as GossipMessage)
      const remembered = decodeGossip(frame, "n1", limits)
      const parsed = decodeGossip(new Uint8Array(frame), "n1", limits)
      expect(Either.isLeft(parsed), JSON.stringify(message)).toBe(true)
      expect(remembered).toEqual(parsed)
    }
  })

  it("other bytes are parsed in full: a copy with a broken byte is refused", () => {
    const copy = new Uint8Array(frameOf(everyMessageKind[0]!))
    copy[copy.length - 1] = 0x7b
    const decoded = decodeGossip(copy, "n1", limits)
    expect(Either.isLeft(decoded) && decoded.left._tag).toBe("MalformedFrame")
  })

  it("a remembered frame over the receiver's own limit is still refused", () => {
    const decoded = decodeGossip(frameOf(everyMessageKind.find((message) => message._tag === "Delta")!), "n1", { maxFrameBytes: 16 })
    expect(Either.isLeft(decoded) && decoded.left._tag).toBe("FrameTooLarge")
  })
})
