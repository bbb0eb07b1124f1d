/**
 * The Store's costs: batched LWW writes (local puts and remote deltas), `since` over a large
 * store, and reopening a RocksStore of 100 000 records. Figures in the units that matter
 * (writes/s, records/s, ms) print after the run; nothing here passes or fails.
 */
import { Effect, Exit, Scope } from "effect"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { afterAll, bench, describe } from "vitest"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { Delta, NodeId, StoredRecord, Version } from "../../storage/record.ts"
import { RocksStore } from "../../storage/rocksStore.ts"
import type { BatchOp } from "../../storage/store.ts"
import { scaled } from "./benchScale.ts"

const batchSize = scaled(10_000, 100)
const storeSize = scaled(100_000, 1_000)
const root = fs.mkdtempSync(path.join(os.tmpdir(), "knot-storage-bench-"))
const local = NodeId.make("bench")
const remote = NodeId.make("peer")

const value = (i: number) => ({
  name: `space-${i}`,
  owner: "ann",
  template: "go-dev",
  node: "bench",
  zone: "us-east",
  desired: "running",
  observed: "running",
  generation: i
})

const puts = (from: number): Array<BatchOp> =>
  Array.from({ length: batchSize }, (_, i) => ({ _tag: "Put", kind: "space", id: `s${from + i}`, value: value(from + i) }))

/** Remote writes from "peer", each newer than the last, far enough in the past to pass the drift check. */
let remoteWall = 1_000_000
const remoteDelta = (): Delta => {
  const records = Array.from({ length: batchSize }, (_, i) =>
    new StoredRecord({
      kind: "space",
      id: `r${i}`,
      value: value(i),
      version: new Version({ wall: remoteWall++, counter: 0, node: remote }),
      deleted: false
    }))
  return new Delta({ records, upTo: { [remote]: records[records.length - 1]!.version } })
}

interface Figure {
  readonly unit: string
  items: number
  ms: number
  cpuMs: number
}
const figures = new Map<string, Figure>()
/** CPU time of this process (every thread, RocksDB's included): a figure less at the mercy of other load. */
const cpuMs = () => {
  const { system, user } = process.cpuUsage()
  return (user + system) / 1000
}
const timed = async <A>(label: string, unit: string, items: number, run: () => Promise<A>) => {
  const started = performance.now()
  const cpuStarted = cpuMs()
  const result = await run()
  const figure = figures.get(label) ?? { unit, items: 0, ms: 0, cpuMs: 0 }
  figure.items += items
  figure.ms += performance.now() - started
  figure.cpuMs += cpuMs() - cpuStarted
  figures.set(label, figure)
  return result
}

/** Opened on first use (benchmarks run their first, warm-up iteration into it); closed after the run. */
const scopes: Array<Scope.CloseableScope> = []
const once = <A>(make: () => Promise<A>) => {
  let made: Promise<A> | undefined
  return () => (made ??= make())
}
const openRocks = async (directory: string) => {
  const scope = Effect.runSync(Scope.make())
  scopes.push(scope)
  const opening = RocksStore.make({ directory, nodeId: local, maxDriftMs: 60_000 })
  const store = await Effect.runPromise(Scope.extend(opening, scope))
  return { store, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

const writesStore = once(() => openRocks(path.join(root, "writes")))
const largeDirectory = path.join(root, "large")
const largeStore = once(async () => {
  const opened = await openRocks(largeDirectory)
  for (let from = 0; from < storeSize; from += batchSize) await Effect.runPromise(opened.store.batch(puts(from)))
  return opened
})
const memoryStore = once(async () => {
  const scope = Effect.runSync(Scope.make())
  scopes.push(scope)
  return (await Effect.runPromise(Scope.extend(MemoryStore.make({ nodeId: local, maxDriftMs: 60_000 }), scope))).store
})

const runs = (iterations: number) => ({ iterations, time: 0, warmupIterations: 1, warmupTime: 0 })

afterAll(async () => {
  for (const scope of scopes) await Effect.runPromise(Scope.close(scope, Exit.void))
  fs.rmSync(root, { recursive: true, force: true })
  const rate = (items: number, ms: number) => Math.round((items / ms) * 1000).toLocaleString("en")
  const lines = [...figures].map(([label, figure]) =>
    figure.unit === "ms"
      ? `  ${label}: ${(figure.ms / figure.items).toFixed(0)} ms (${(figure.cpuMs / figure.items).toFixed(0)} ms of CPU)`
      : `  ${label}: ${rate(figure.items, figure.ms)} ${figure.unit} (${rate(figure.items, figure.cpuMs)} per CPU-second)`
  )
  console.log(["storage figures:", ...lines].join("\n"))
})

/**
 * Inputs for every iteration, built before any is timed: building records (with their
 * validating constructors) leaves garbage that would otherwise be collected inside a timing.
 */
const iterations = scaled(10, 1)
const localBatches = once(async () => Array.from({ length: iterations + 1 }, (_, i) => puts(i * batchSize)))
const remoteDeltas = once(async () => Array.from({ length: iterations + 1 }, remoteDelta))

describe("RocksStore writes", () => {
  let nextLocal = 0
  bench("batch of 10 000 local puts, fsynced", async () => {
    const { store } = await writesStore()
    const ops = (await localBatches())[nextLocal++]!
    await timed("RocksStore batched local puts", "writes/s", batchSize, () => Effect.runPromise(store.batch(ops)))
  }, runs(iterations))

  let nextRemote = 0
  bench("applyDelta of 10 000 remote records (LWW merge), fsynced", async () => {
    const { store } = await writesStore()
    const delta = (await remoteDeltas())[nextRemote++]!
    await timed("RocksStore batched LWW merges (applyDelta)", "writes/s", batchSize, () =>
      Effect.runPromise(store.applyDelta(delta)))
  }, runs(iterations))
})

describe(`RocksStore holding ${storeSize} records`, () => {
  bench(`since an empty digest (all ${storeSize} records)`, async () => {
    const { store } = await largeStore()
    const delta = await timed("RocksStore since", "records/s", storeSize, () => Effect.runPromise(store.since({})))
    if (delta.records.length !== storeSize) throw new Error(`since sent ${delta.records.length} records`)
  }, runs(scaled(3, 1)))

  bench("since in 1 MB deltas, as gossip asks", async () => {
    const { store } = await largeStore()
    let digest = {}
    let sent = 0
    await timed("RocksStore since, 1 MB deltas", "records/s", storeSize, async () => {
      for (;;) {
        const delta = await Effect.runPromise(store.since(digest, { maxBytes: 1_000_000 }))
        if (delta.records.length === 0) break
        sent += delta.records.length
        digest = { ...digest, ...delta.upTo }
      }
    })
    if (sent !== storeSize) throw new Error(`since sent ${sent} records`)
  }, runs(scaled(3, 1)))
})

describe(`reopening a RocksStore of ${storeSize} records`, () => {
  const closedLarge = once(async () => (await largeStore()).close())
  bench("open, load the index, close", async () => {
    await closedLarge()
    await timed(`RocksStore reopen with ${storeSize} records`, "ms", 1, () =>
      Effect.runPromise(Effect.scoped(RocksStore.make({ directory: largeDirectory, nodeId: local, maxDriftMs: 60_000 }))))
  }, runs(scaled(3, 1)))
})

describe("MemoryStore writes (the simulator's store)", () => {
  let nextLocal = 0
  bench("batch of 10 000 local puts", async () => {
    const store = await memoryStore()
    const ops = (await localBatches())[nextLocal++]!
    await timed("MemoryStore batched local puts", "writes/s", batchSize, () => Effect.runPromise(store.batch(ops)))
  }, runs(iterations))

  let nextRemote = 0
  bench("applyDelta of 10 000 remote records (LWW merge)", async () => {
    const store = await memoryStore()
    const delta = (await remoteDeltas())[nextRemote++]!
    await timed("MemoryStore batched LWW merges (applyDelta)", "writes/s", batchSize, () =>
      Effect.runPromise(store.applyDelta(delta)))
  }, runs(iterations))
})
