import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue, Stream } from "effect"
import { nodeClock, VirtualTime } from "../../simulations/clock.ts"
import { reliable, SimNetwork } from "../../simulations/network.ts"
import { Prng } from "../../simulations/prng.ts"
import { drive, SimScheduler } from "../../simulations/scheduler.ts"
import { simulatedKeyOf, simulatedLinkTimings } from "../../simulations/simLinks.ts"
import { Trace } from "../../simulations/trace.ts"
import type { TransportShape } from "../../transport/transport.ts"

/** `nodes` on a reliable network whose frames pass only over connections (`links: "view"`), with a latency of 1 ms. */
const networkOf = (time: VirtualTime, nodes: ReadonlyArray<string>) => {
  const network = new SimNetwork(time, new Prng(1), new Trace(false), {
    latencyMs: { min: 1, max: 1 },
    faults: reliable,
    describe: () => "frame",
    links: "view"
  })
  for (const node of nodes) network.register(node, "z1")
  return network
}

/** Runs `program` on virtual time until it ends; what it gives. */
const runToEnd = <A>(time: VirtualTime, program: Effect.Effect<A, unknown>): A => {
  const result = drive(program.pipe(Effect.withClock(nodeClock(time))), new SimScheduler(), time)
  if (result._tag !== "Done" || result.exit._tag !== "Success") throw new Error("the network run did not finish")
  return result.exit.value
}

/**
 * Cluster nodes a, b and c over connections; `body` gets their transports, and what b
 * received so far, by first byte.
 */
const overConnections = <A>(
  body: (nodes: {
    readonly a: TransportShape
    readonly b: TransportShape
    readonly c: TransportShape
    readonly network: SimNetwork
    readonly receivedByB: Effect.Effect<ReadonlyArray<number>>
  }) => Effect.Effect<A, unknown>
): A => {
  const time = new VirtualTime()
  const network = networkOf(time, ["a", "b", "c"])
  return runToEnd(time, Effect.gen(function*() {
    const a = yield* network.attach("a")
    const b = yield* network.attach("b")
    const c = yield* network.attach("c")
    const received = yield* Queue.unbounded<number>()
    yield* Effect.fork(Stream.runForEach(b.incoming, (frame) => Queue.offer(received, frame.bytes[0]!)))
    const seen: Array<number> = []
    const receivedByB = Effect.map(Queue.takeAll(received), (taken) => {
      seen.push(...taken)
      return [...seen]
    })
    return yield* body({ a, b, c, network, receivedByB })
  }))
}

const keys = new Map(["a", "b", "c"].map((node) => [node, simulatedKeyOf(node)]))

/** More peers than Hyperswarm's cap lets a node dial from its topic. */
const crowd = Array.from({ length: simulatedLinkTimings.maxPeers + 6 }, (_, i) => `p${i + 1}`)
const crowdKeys = new Map(["hub", ...crowd].map((node) => [node, simulatedKeyOf(node)]))

/**
 * `hub` and the crowd on a reliable network over connections. The crowd's keepers hold a view
 * of nobody, so only the hub dials: it holds no view, a full mesh dialing every peer its topic
 * finds. `body` runs once those first dials have landed.
 */
const hubInACrowd = <A>(
  body: (nodes: { readonly hub: TransportShape; readonly peers: ReadonlyArray<TransportShape> }) => Effect.Effect<A, unknown>
): A => {
  const time = new VirtualTime()
  const network = networkOf(time, ["hub", ...crowd])
  return runToEnd(time, Effect.gen(function*() {
    const peers = yield* Effect.forEach(crowd, (node) => network.attach(node))
    for (const peer of peers) yield* peer.keepLinks!([], crowdKeys)
    const hub = yield* network.attach("hub")
    yield* Effect.sleep(10)
    return yield* body({ hub, peers })
  }))
}

/** Long enough for an unwanted connection's grace and the sweep after it. */
const pastGrace = simulatedLinkTimings.graceMs + 2 * simulatedLinkTimings.sweepEveryMs

describe("simulated connections kept as a real node keeps them", () => {
  it("pass frames only once the two ends have connected: a frame sent before is lost", () => {
    const received = overConnections(({ a, receivedByB }) =>
      Effect.gen(function*() {
        yield* a.send("b", new Uint8Array([1]))
        yield* Effect.sleep(10)
        yield* a.send("b", new Uint8Array([2]))
        yield* Effect.sleep(10)
        return yield* receivedByB
      })
    )
    expect(received).toEqual([2])
  })

  it("close a connection neither end's view wants once its grace is over, and keep it closed", () => {
    const connected = overConnections(({ a, c }) =>
      Effect.gen(function*() {
        yield* Effect.sleep(10)
        const before = yield* a.connected
        yield* a.keepLinks!(["b"], keys)
        yield* c.keepLinks!(["b"], keys)
        yield* Effect.sleep(pastGrace)
        const after = yield* a.connected
        yield* Effect.sleep(3 * simulatedLinkTimings.redialEveryMs)
        return { before, after, later: yield* a.connected }
      })
    )
    expect(connected).toEqual({ before: ["b", "c"], after: ["b"], later: ["b"] })
  })

  it("dial a member outside the view when a frame finds no connection to it, so a later frame passes", () => {
    const received = overConnections(({ a, b, receivedByB }) =>
      Effect.gen(function*() {
        yield* a.keepLinks!(["c"], keys)
        yield* b.keepLinks!(["c"], keys)
        yield* Effect.sleep(pastGrace)
        const apart = !(yield* a.connected).includes("b")
        yield* a.send("b", new Uint8Array([1]))
        yield* Effect.sleep(10)
        yield* a.send("b", new Uint8Array([2]))
        yield* Effect.sleep(10)
        return { apart, received: yield* receivedByB }
      })
    )
    expect(received).toEqual({ apart: true, received: [2] })
  })

  it("time a connection out when a cut outlasts its timeout, and connect the two again after the heal", () => {
    const seen = overConnections(({ a, network, receivedByB }) =>
      Effect.gen(function*() {
        yield* Effect.sleep(10)
        network.cutLinks(["a"], ["b"], true)
        yield* Effect.sleep(simulatedLinkTimings.timeoutMs + 2 * simulatedLinkTimings.sweepEveryMs)
        const whileCut = yield* a.connected
        network.heal()
        yield* Effect.sleep(2 * simulatedLinkTimings.redialEveryMs)
        const healed = yield* a.connected
        yield* a.send("b", new Uint8Array([7]))
        yield* Effect.sleep(10)
        return { whileCut, healed, received: yield* receivedByB }
      })
    )
    expect(seen).toEqual({ whileCut: ["c"], healed: ["b", "c"], received: [7] })
  })
})

describe("simulated connections under Hyperswarm's cap of 64", () => {
  it("stop a node dialing the peers its topic finds once it holds 64 connections", () => {
    const held = hubInACrowd(({ hub }) => Effect.map(hub.connected, (peers) => peers.length))
    expect(held).toBe(simulatedLinkTimings.maxPeers)
  })

  it("accept every connection dialed to a node, however many it holds", () => {
    const held = hubInACrowd(({ hub, peers }) =>
      Effect.gen(function*() {
        for (const peer of peers) {
          if (!(yield* peer.connected).includes("hub")) yield* peer.keepLinks!(["hub"], crowdKeys)
        }
        yield* Effect.sleep(10)
        return (yield* hub.connected).length
      })
    )
    expect(held).toBe(crowd.length)
  })

  it("dial the peers a node's keeper joins, however many connections it holds", () => {
    const held = hubInACrowd(({ hub }) =>
      Effect.gen(function*() {
        yield* hub.keepLinks!(crowd, crowdKeys)
        yield* Effect.sleep(10)
        return (yield* hub.connected).length
      })
    )
    expect(held).toBe(crowd.length)
  })
})
