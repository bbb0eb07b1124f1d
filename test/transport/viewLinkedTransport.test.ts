/**
 * The Hyperswarm transport under a partial view, two real nodes on a loopback DHT: what its
 * link keeper does with real connections, the topic's discovery and Hyperswarm's redials.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { PeerId } from "../../transport/transport.ts"
import { newClusterKey, startNode, type TestNode, Testnet, upPeers, waitForFrame, waitForPeerDown, waitForPeers } from "./hyperswarmHarness.ts"

const keeperTimings = { graceMs: 500, demandForMs: 1_000, dialWithinMs: 1_000 }
/** Several times the grace period. */
const WATCH = "3 seconds"

const id = (node: TestNode) => node.transport.self

const meshedPair = Effect.gen(function*() {
  const clusterKey = newClusterKey()
  const a = yield* startNode({ clusterKey, keeperTimings })
  const b = yield* startNode({ clusterKey, keeperTimings })
  yield* waitForPeers(a, [id(b)])
  yield* waitForPeers(b, [id(a)])
  return { a, b }
})

/** What gossip hands the transport: the links `node` wants, and the other's announced key. */
const keepLinks = (node: TestNode, other: TestNode, wanted: ReadonlyArray<PeerId>) =>
  Effect.suspend(() => {
    const keep = node.transport.keepLinks
    if (keep === undefined) return Effect.die(new Error("the Hyperswarm transport keeps no links"))
    return keep(wanted, new Map([[id(other), other.info.publicKey]]))
  })

/** A meshed pair whose views want no link, once both ends have seen their connection close. */
const wantingNeither = Effect.gen(function*() {
  const { a, b } = yield* meshedPair
  yield* keepLinks(a, b, [])
  yield* keepLinks(b, a, [])
  yield* waitForPeerDown(a, id(b))
  yield* waitForPeerDown(b, id(a))
  return { a, b }
})

const linked = (node: TestNode, peer: TestNode) => Effect.map(node.events.get, (log) => upPeers(log).has(id(peer)))

layer(Testnet.layer, { excludeTestServices: true })("the Hyperswarm transport under a partial view", (it) => {
  it.scoped("closes a connection neither end's view wants, and it stays closed", () =>
    Effect.gen(function*() {
      const { a, b } = yield* wantingNeither
      yield* Effect.sleep(WATCH)
      expect(yield* linked(a, b)).toBe(false)
      expect(yield* linked(b, a)).toBe(false)
    }))

  it.scoped("dials a member it sends a frame to without a connection, so that a later frame arrives", () =>
    Effect.gen(function*() {
      const { a, b } = yield* wantingNeither
      // The first frames are lost, as to any unlinked peer; they dial it.
      yield* Effect.gen(function*() {
        while (!(yield* linked(a, b))) {
          yield* a.transport.send(id(b), new Uint8Array([7]))
          yield* Effect.sleep("100 millis")
        }
      }).pipe(Effect.timeout("10 seconds"))
      yield* a.transport.send(id(b), new Uint8Array([8]))
      yield* waitForFrame(b, id(a))
    }))

  it.scoped("keeps a connection one end wants though the other does not: that end dials it, and a dialed connection is the dialer's to close", () =>
    Effect.gen(function*() {
      const { a, b } = yield* meshedPair
      yield* keepLinks(a, b, [id(b)])
      yield* keepLinks(b, a, [])
      yield* Effect.sleep(WATCH)
      const seen = (yield* a.events.get).length
      yield* Effect.sleep(WATCH)
      expect((yield* a.events.get).slice(seen).filter((event) => event._tag === "PeerDown")).toEqual([])
      expect(yield* linked(a, b)).toBe(true)
    }))
})
