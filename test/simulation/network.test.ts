import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Queue, Scope, Stream } from "effect"
import type { ActorContext } from "../../actors/runtime/index.ts"
import { forEachPulled, handoverOf } from "../../transport/gossip/gossip.router.ts"
import { nodeClock, VirtualTime } from "../../simulations/clock.ts"
import { type LinkFaults, reliable, SimNetwork } from "../../simulations/network.ts"
import { Prng } from "../../simulations/prng.ts"
import { drive, SimScheduler } from "../../simulations/scheduler.ts"
import { Trace } from "../../simulations/trace.ts"

/** Three nodes in two zones; `a` sends `count` frames to `b`, and we see what `b` got by when. */
const deliveries = (setup: (network: SimNetwork) => void, faults: LinkFaults = reliable, count = 100) => {
  const time = new VirtualTime()
  const trace = new Trace(false)
  const network = new SimNetwork(time, new Prng(1), trace, {
    latencyMs: { min: 1, max: 40 },
    faults,
    describe: () => "frame"
  })
  network.register("a", "z1")
  network.register("b", "z1")
  network.register("c", "z2")
  const program = Effect.gen(function*() {
    const a = yield* network.attach("a")
    const b = yield* network.attach("b")
    yield* network.attach("c")
    const received = yield* Queue.unbounded<number>()
    yield* Effect.fork(Stream.runForEach(b.incoming, (frame) => Queue.offer(received, frame.bytes[0]!)))
    setup(network)
    for (let i = 0; i < count; i++) yield* a.send("b", new Uint8Array([i]))
    yield* Effect.sleep(1000)
    return Chunk.toReadonlyArray(yield* Queue.takeAll(received))
  }).pipe(Effect.withClock(nodeClock(time)))
  const result = drive(program, new SimScheduler(), time)
  if (result._tag !== "Done" || result.exit._tag !== "Success") throw new Error("the network run did not finish")
  return { received: result.exit.value, counts: trace.counts }
}

describe("simulated network", () => {
  it("delivers every frame on a reliable network", () => {
    expect(deliveries(() => {}).received.length).toBe(100)
  })

  it("delivers nothing across a partition", () => {
    expect(deliveries((network) => network.cutLinks(["a"], ["b"], true)).received).toEqual([])
  })

  it("cuts a one-way partition in one direction only", () => {
    expect(deliveries((network) => network.cutLinks(["b"], ["a"], false)).received.length).toBe(100)
    expect(deliveries((network) => network.cutLinks(["a"], ["b"], false)).received).toEqual([])
  })

  it("isolates a whole zone from the others", () => {
    const { received } = deliveries((network) => network.isolate(network.nodesInZone("z1")))
    expect(received.length).toBe(100)
    expect(deliveries((network) => network.isolate(network.nodesInZone("z2"))).received.length).toBe(100)
    expect(deliveries((network) => network.isolate(["b"])).received).toEqual([])
  })

  it("delivers again after a heal", () => {
    expect(deliveries((network) => {
      network.cutLinks(["a"], ["b"], true)
      network.heal()
    }).received.length).toBe(100)
  })

  it("drops, duplicates and reorders frames at the configured odds", () => {
    const { counts, received } = deliveries(() => {}, { drop: 0.2, duplicate: 0.1, reorder: 0.2 }, 250)
    expect(counts.dropped).toBeGreaterThan(25)
    expect(counts.dropped).toBeLessThan(75)
    expect(counts.duplicated).toBeGreaterThan(10)
    const inOrder = received.every((value, i) => i === 0 || value >= received[i - 1]!)
    expect(inOrder).toBe(false)
  })
})

/** Nodes a and b on a reliable network with a latency of 1 ms. */
const twoNodes = () => {
  const time = new VirtualTime()
  const network = new SimNetwork(time, new Prng(1), new Trace(false), {
    latencyMs: { min: 1, max: 1 },
    faults: reliable,
    describe: () => "frame"
  })
  network.register("a", "z1")
  network.register("b", "z1")
  return { network, time }
}

describe("a node's incoming frames", () => {
  // The router reads them with forEachPulled, which pulls the inbox itself; anything else
  // reads them as a Stream. Both see the same frames, and both end when the node goes down.
  it("reach a Stream reader and the router alike, in order, and end when the node goes down", () => {
    const { network, time } = twoNodes()
    const program = Effect.gen(function*() {
      const a = yield* network.attach("a")
      const b = yield* network.attach("b")
      const streamed = yield* Effect.fork(Stream.runCollect(b.incoming))
      for (let i = 0; i < 5; i++) yield* a.send("b", new Uint8Array([i]))
      yield* Effect.sleep(10)
      yield* network.detach("b")
      const viaStream = Chunk.toReadonlyArray(yield* Fiber.join(streamed)).map((frame) => frame.bytes[0])
      // A new incarnation of b, read as the router reads it.
      const again = yield* network.attach("b")
      const pulled: Array<number> = []
      const scope = yield* Scope.make()
      const ctx = { scope } as unknown as ActorContext<never>
      const loop = yield* forEachPulled(ctx, again.incoming, (frame) => Effect.sync(() => pulled.push(frame.bytes[0]!)))
      for (let i = 5; i < 10; i++) yield* a.send("b", new Uint8Array([i]))
      yield* Effect.sleep(10)
      yield* network.detach("b")
      yield* Effect.sleep(10)
      return { viaStream, pulled, loopEnded: loop.unsafePoll() !== null }
    }).pipe(Effect.withClock(nodeClock(time)))
    const result = drive(program, new SimScheduler(), time)
    if (result._tag !== "Done" || result.exit._tag !== "Success") throw new Error("the network run did not finish")
    expect(result.exit.value).toEqual({ viaStream: [0, 1, 2, 3, 4], pulled: [5, 6, 7, 8, 9], loopEnded: true })
  })

  // The gossip router takes them handed over, each as it lands, with no fiber to wake.
  it("are handed to a receiver as they land, those already waiting first, until it lets go or the node goes down", () => {
    const { network, time } = twoNodes()
    const program = Effect.gen(function*() {
      const a = yield* network.attach("a")
      const b = yield* network.attach("b")
      const handover = handoverOf(b.incoming)
      if (handover === undefined) throw new Error("the simulated network offers no handover")
      const sendAll = (from: number, to: number) =>
        Effect.forEach(Array.from({ length: to - from }, (_, i) => from + i), (i) => a.send("b", new Uint8Array([i])))
      yield* sendAll(0, 3)
      yield* Effect.sleep(10)
      const handed: Array<number> = []
      const letGo = handover((frame) => handed.push(frame.bytes[0]!))
      const waitingFirst = [...handed]
      yield* sendAll(3, 6)
      yield* Effect.sleep(10)
      letGo()
      yield* sendAll(6, 8)
      yield* Effect.sleep(10)
      const again = yield* network.attach("b")
      handoverOf(again.incoming)?.((frame) => handed.push(frame.bytes[0]!))
      yield* network.detach("b")
      yield* sendAll(8, 10)
      yield* Effect.sleep(10)
      return { waitingFirst, handed }
    }).pipe(Effect.withClock(nodeClock(time)))
    const result = drive(program, new SimScheduler(), time)
    if (result._tag !== "Done" || result.exit._tag !== "Success") throw new Error("the network run did not finish")
    expect(result.exit.value).toEqual({ waitingFirst: [0, 1, 2], handed: [0, 1, 2, 3, 4, 5] })
  })
})
