import { describe, expect, it } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import { type KeptLink, makeLinkKeeper, unwantedReason } from "../../transport/hyperswarm/linkKeeper.ts"
import { nodeIdOfKey } from "../../transport/hyperswarm/nodeIdentity.ts"

const member = () => {
  const key = randomBytes(32)
  return { id: nodeIdOfKey(key), key: key.toString("hex") }
}

const timings = { graceMs: 10_000, demandForMs: 60_000, dialWithinMs: 5_000 }

const setUp = () => {
  const dials: Array<string> = []
  const leaves: Array<string> = []
  const linked = new Set<string>()
  const keeper = makeLinkKeeper({
    isLinked: (peer) => linked.has(peer),
    swarm: {
      joinPeer: (key) => void dials.push(key.toString("hex")),
      leavePeer: (key) => void leaves.push(key.toString("hex"))
    },
    ...timings
  })
  return { keeper, dials, leaves, linked }
}

const link = (peer: { id: string; key: string }, overrides: Partial<KeptLink> = {}) => {
  const closed: Array<string> = []
  const kept: KeptLink = {
    peer: peer.id,
    publicKey: peer.key,
    dialedBy: "self",
    leaf: undefined,
    activeStreams: () => 0,
    close: (reason) => void closed.push(reason),
    ...overrides
  }
  return { kept, closed }
}

const keysOf = (...members: Array<{ id: string; key: string }>) => new Map(members.map((m) => [m.id, m.key]))

describe("the link keeper", () => {
  it("in a full mesh dials whatever Hyperswarm finds and closes nothing", () => {
    const { keeper, dials } = setUp()
    const a = member()
    keeper.keep(undefined, keysOf(a), 0)
    const { kept, closed } = link(a)
    keeper.sweep([kept], 0)
    keeper.sweep([kept], 100_000)
    expect(keeper.mayDial(member().key, 0)).toBe(true)
    expect(dials).toEqual([])
    expect(closed).toEqual([])
  })

  it("under a partial view dials each link by the key its node record announces", () => {
    const { keeper, dials } = setUp()
    const [a, b, c] = [member(), member(), member()]
    keeper.keep([a.id, b.id], keysOf(a, b, c), 0)
    expect(dials.sort()).toEqual([a.key, b.key].sort())
    expect(keeper.mayDial(a.key, 0)).toBe(true)
  })

  it("under a partial view dials no member outside it, nor a stranger the topic finds", () => {
    const { keeper } = setUp()
    const [a, b] = [member(), member()]
    keeper.keep([a.id], keysOf(a, b), 0)
    expect(keeper.mayDial(b.key, 0)).toBe(false)
    expect(keeper.mayDial(member().key, 0)).toBe(false)
  })

  it("ignores a key that does not fix the member's id", () => {
    const { keeper, dials } = setUp()
    const [a, impostor] = [member(), member()]
    keeper.keep([a.id], new Map([[a.id, impostor.key]]), 0)
    expect(dials).toEqual([])
    expect(keeper.mayDial(impostor.key, 0)).toBe(false)
    expect(keeper.dialable(a.id)).toBe(false)
  })

  it("dials a link again at each hand-over while it has no connection, and not once it has", () => {
    const { keeper, dials, linked } = setUp()
    const a = member()
    keeper.keep([a.id], keysOf(a), 0)
    keeper.keep([a.id], keysOf(a), 5_000)
    expect(dials).toEqual([a.key, a.key])
    linked.add(a.id)
    keeper.keep([a.id], keysOf(a), 10_000)
    expect(dials).toEqual([a.key, a.key])
  })

  it("dials a link whose key arrives after the link", () => {
    const { keeper, dials } = setUp()
    const a = member()
    keeper.keep([a.id], new Map(), 0)
    expect(dials).toEqual([])
    keeper.keep([a.id], keysOf(a), 5_000)
    expect(dials).toEqual([a.key])
  })

  it("closes a connection it dialed once unwanted for the grace period, and stops redialing it", () => {
    const { keeper, leaves } = setUp()
    const [a, b] = [member(), member()]
    keeper.keep([a.id, b.id], keysOf(a, b), 0)
    keeper.keep([a.id], keysOf(a, b), 1_000)
    const { kept, closed } = link(b)
    keeper.sweep([kept], 1_000)
    keeper.sweep([kept], 1_000 + timings.graceMs - 1)
    expect(closed).toEqual([])
    keeper.sweep([kept], 1_000 + timings.graceMs)
    expect(closed).toEqual([unwantedReason])
    expect(leaves).toEqual([b.key])
  })

  it("keeps a connection wanted again before the grace period ends", () => {
    const { keeper } = setUp()
    const [a, b] = [member(), member()]
    keeper.keep([a.id], keysOf(a, b), 0)
    const { kept, closed } = link(b)
    keeper.sweep([kept], 0)
    keeper.keep([a.id, b.id], keysOf(a, b), 5_000)
    keeper.sweep([kept], 5_000)
    keeper.keep([a.id], keysOf(a, b), 6_000)
    keeper.sweep([kept], 6_000 + timings.graceMs - 1)
    expect(closed).toEqual([])
  })

  it("never closes a connection the peer dialed: it is the peer's to close", () => {
    const { keeper } = setUp()
    const [a, b] = [member(), member()]
    keeper.keep([a.id], keysOf(a, b), 0)
    const { kept, closed } = link(b, { dialedBy: "peer" })
    keeper.sweep([kept], 0)
    keeper.sweep([kept], 100_000)
    expect(closed).toEqual([])
  })

  it("never closes a leaf's connection", () => {
    const { keeper } = setUp()
    const [a, leaf] = [member(), member()]
    keeper.keep([a.id], keysOf(a), 0)
    const { kept, closed } = link(leaf, { leaf: "laptop" })
    keeper.sweep([kept], 0)
    keeper.sweep([kept], 100_000)
    expect(closed).toEqual([])
  })

  it("never closes a connection while a stream runs on it, and gives it the grace period after", () => {
    const { keeper } = setUp()
    const [a, b] = [member(), member()]
    keeper.keep([a.id], keysOf(a, b), 0)
    let streams = 1
    const { kept, closed } = link(b, { activeStreams: () => streams })
    keeper.sweep([kept], 0)
    keeper.sweep([kept], 100_000)
    expect(closed).toEqual([])
    streams = 0
    keeper.sweep([kept], 100_000)
    keeper.sweep([kept], 100_000 + timings.graceMs)
    expect(closed).toEqual([unwantedReason])
  })

  it("dials a member outside the view on demand and keeps it wanted for a while after", () => {
    const { keeper, dials, linked } = setUp()
    const [a, b] = [member(), member()]
    keeper.keep([a.id], keysOf(a, b), 0)
    expect(keeper.dialable(b.id)).toBe(true)
    expect(keeper.demand(b.id, 1_000)).toBe(true)
    expect(dials).toContain(b.key)
    linked.add(b.id)
    expect(keeper.mayDial(b.key, 1_000 + timings.demandForMs - 1)).toBe(true)
    expect(keeper.mayDial(b.key, 1_000 + timings.demandForMs)).toBe(false)
  })

  it("lets a dial on demand lapse when no connection lands in time, and dials again on the next demand", () => {
    const { keeper, dials } = setUp()
    const [a, b] = [member(), member()]
    keeper.keep([a.id], keysOf(a, b), 0)
    keeper.demand(b.id, 1_000)
    expect(keeper.mayDial(b.key, 1_000 + timings.dialWithinMs - 1)).toBe(true)
    expect(keeper.mayDial(b.key, 1_000 + timings.dialWithinMs)).toBe(false)
    keeper.demand(b.id, 2_000 + timings.dialWithinMs)
    expect(keeper.mayDial(b.key, 2_000 + timings.dialWithinMs)).toBe(true)
    expect(dials).toContain(b.key)
  })

  it("stops the swarm retrying a dial on demand once it has lapsed, and joins it again on a later demand", () => {
    const { keeper, dials, leaves } = setUp()
    const [a, b] = [member(), member()]
    keeper.keep([a.id], keysOf(a, b), 0)
    keeper.demand(b.id, 1_000)
    keeper.sweep([], 1_000 + timings.dialWithinMs - 1)
    expect(leaves).toEqual([])
    keeper.sweep([], 1_000 + timings.dialWithinMs)
    expect(leaves).toEqual([b.key])
    keeper.demand(b.id, 2_000 + timings.dialWithinMs)
    expect(dials.filter((key) => key === b.key)).toHaveLength(2)
  })

  it("dials nobody on demand in a full mesh, where the topic finds every peer", () => {
    const { keeper, dials } = setUp()
    const a = member()
    keeper.keep(undefined, keysOf(a), 0)
    expect(keeper.demand(a.id, 0)).toBe(false)
    expect(dials).toEqual([])
  })

  it("cannot dial on demand a member whose key it does not know", () => {
    const { keeper } = setUp()
    const [a, b] = [member(), member()]
    keeper.keep([a.id], keysOf(a), 0)
    expect(keeper.dialable(b.id)).toBe(false)
    expect(keeper.demand(b.id, 0)).toBe(false)
  })

  it("back in a full mesh stops dialing by key and lets the topic find every peer", () => {
    const { keeper, leaves } = setUp()
    const [a, b] = [member(), member()]
    keeper.keep([a.id], keysOf(a, b), 0)
    keeper.keep(undefined, keysOf(a, b), 1_000)
    expect(leaves).toEqual([a.key])
    expect(keeper.mayDial(b.key, 1_000)).toBe(true)
    expect(keeper.dialable(b.id)).toBe(false)
  })
})
