import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import type { ConnectionClaim } from "../../transport/hyperswarm/linkSelection.ts"
import { preferredClaim } from "../../transport/hyperswarm/linkSelection.ts"

const hexKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString("hex"))
const session = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString("hex"))

/** The two ends of one pair of connections, each seen from both nodes. */
const duplicatePair = fc
  .tuple(hexKey, hexKey, session, session)
  .filter(([x, y]) => x !== y)
  .map(([x, y, sessionX, sessionY]) => {
    const claim = (peer: string, peerSession: string, initiator: string): ConnectionClaim => ({
      publicKey: peer,
      session: peerSession,
      initiator
    })
    return {
      atX: { dialedByX: claim(y, sessionY, x), dialedByY: claim(y, sessionY, y) },
      atY: { dialedByX: claim(x, sessionX, x), dialedByY: claim(x, sessionX, y) },
      lowerDialer: x < y ? "dialedByX" : "dialedByY"
    }
  })

const keep = (existing: ConnectionClaim, candidate: ConnectionClaim, names: readonly [string, string]) =>
  preferredClaim(existing, candidate) === "existing" ? names[0] : names[1]

describe("preferredClaim", () => {
  it("makes both ends keep the same one of two crossing connections, whatever order each saw them in", () => {
    fc.assert(
      fc.property(duplicatePair, fc.boolean(), fc.boolean(), ({ atX, atY, lowerDialer }, xFirst, yFirst) => {
        const orderAtX = xFirst ? (["dialedByX", "dialedByY"] as const) : (["dialedByY", "dialedByX"] as const)
        const orderAtY = yFirst ? (["dialedByX", "dialedByY"] as const) : (["dialedByY", "dialedByX"] as const)
        const keptAtX = keep(atX[orderAtX[0]], atX[orderAtX[1]], orderAtX)
        const keptAtY = keep(atY[orderAtY[0]], atY[orderAtY[1]], orderAtY)
        expect(keptAtX).toBe(lowerDialer)
        expect(keptAtY).toBe(lowerDialer)
      })
    )
  })

  it("prefers a connection from a restarted peer (new session) over the old one", () => {
    const old = { publicKey: "bb", session: "01", initiator: "aa" }
    expect(preferredClaim(old, { ...old, session: "02", initiator: "bb" })).toBe("candidate")
  })

  it("prefers the newer of two connections dialed by the same end", () => {
    const old = { publicKey: "bb", session: "01", initiator: "bb" }
    expect(preferredClaim(old, { ...old })).toBe("candidate")
  })
})
