/**
 * How fast one write reaches a whole cluster, and what gossip costs meanwhile: a reliable
 * network, N nodes, one write on the first node, and the clock stopped the moment the last
 * node holds it. The figures are virtual time, so they do not depend on the machine.
 */
import { Data, Effect } from "effect"
import type { GossipConfig } from "../transport/gossip/gossip.config.ts"
import { defaultGossipConfig } from "../transport/gossip/gossip.config.ts"
import { nodeClock } from "./clock.ts"
import { makeCluster } from "./cluster.ts"
import { drive, SimScheduler } from "./scheduler.ts"
import { makeWorld, maxDriftMs } from "./world.ts"

export interface ConvergenceOptions {
  readonly nodes: number
  readonly seed: number
  readonly gossip?: Partial<GossipConfig>
  /** When the write happens, after the cluster has settled. */
  readonly writeAtMs?: number
  /**
   * Before the measured write, every node writes this many records of its own, so that
   * digests carry one entry per node as in a cluster that has been in use.
   */
  readonly backgroundWritesPerNode?: number
  /** Give up after this long. */
  readonly limitMs?: number
}

export interface ConvergenceResult {
  readonly nodes: number
  readonly fanout: number
  /** Anti-entropy rounds from the write until the last node held it. */
  readonly rounds: number
  readonly virtualMs: number
  /** How many nodes held the write at the end of each round (the last entry: all of them). */
  readonly spread: ReadonlyArray<number>
  /** Mean bytes one node sent per round while the write spread, all gossip counted. */
  readonly bytesPerNodePerRound: number
  /** The same, anti-entropy frames only (digests, deltas, pushes). */
  readonly antiEntropyBytesPerNodePerRound: number
  readonly converged: boolean
  readonly realMs: number
}

export class ConvergenceRunFailed extends Data.TaggedError("ConvergenceRunFailed")<{
  readonly nodes: number
  readonly reason: string
}> {
  override get message() {
    return `the convergence run of ${this.nodes} nodes did not finish: ${this.reason}`
  }
}

const pollMs = 10
const antiEntropyKinds = new Set(["Summary", "Digest", "Delta", "Push"])

export const measureConvergence = (
  options: ConvergenceOptions
): Effect.Effect<ConvergenceResult, ConvergenceRunFailed> => Effect.suspend(() => measure(options))

const measure = (options: ConvergenceOptions): Effect.Effect<ConvergenceResult, ConvergenceRunFailed> => {
  const started = performance.now()
  const gossip: GossipConfig = { ...defaultGossipConfig, ...options.gossip }
  const world = makeWorld(options.seed, Array.from({ length: options.nodes }, () => "zone-a"), false)
  const { network, time } = world
  const writeAt = options.writeAtMs ?? 3000
  const limit = writeAt + (options.limitMs ?? 60_000)
  const round = gossip.antiEntropyIntervalMs
  const spread: Array<number> = []
  let reachedAt: number | undefined
  let bytesAtWrite = 0
  let antiEntropyBytesAtWrite = 0
  const sentBytes = () => [...network.traffic.values()].reduce((sum, traffic) => sum + traffic.bytes, 0)
  const antiEntropyBytes = () =>
    [...network.trafficByKind].reduce((sum, [kind, traffic]) => sum + (antiEntropyKinds.has(kind) ? traffic.bytes : 0), 0)

  const program = Effect.gen(function*() {
    const cluster = yield* makeCluster({
      time,
      network,
      trace: world.trace,
      prng: world.clusterPrng,
      nodes: world.nodes,
      gossip,
      maxDriftMs
    })
    for (const node of world.nodes) yield* cluster.start(node.id)
    for (let n = 0; n < (options.backgroundWritesPerNode ?? 0); n++) {
      for (const node of world.nodes) yield* cluster.write(node.id, "user", `${node.id}-${n}`, { n })
    }
    yield* Effect.sleep(writeAt)
    bytesAtWrite = sentBytes()
    antiEntropyBytesAtWrite = antiEntropyBytes()
    const written = yield* cluster.write(world.nodes[0]!.id, "template", "probe", { by: "bench" })
    if (written === undefined) return yield* Effect.dieMessage("the probe write was refused")
    const holding = Effect.map(
      Effect.forEach(cluster.upNodes(), (node) => Effect.orDie(cluster.storeOf(node)!.get("template", "probe"))),
      (records) => records.filter((record) => record !== undefined).length
    )
    let nextRoundEnd = time.now + round
    while (time.now < limit) {
      const count = yield* holding
      if (count === options.nodes) {
        reachedAt = time.now
        spread.push(count)
        break
      }
      if (time.now >= nextRoundEnd) {
        spread.push(count)
        nextRoundEnd += round
      }
      yield* Effect.sleep(pollMs)
    }
    yield* cluster.shutdown
  }).pipe(Effect.withClock(nodeClock(time)), Effect.withRandom(world.harnessRandom))

  const result = drive(program, new SimScheduler(), time)
  if (result._tag === "Stalled") {
    return Effect.fail(new ConvergenceRunFailed({ nodes: options.nodes, reason: "every fiber waits and no timer is pending" }))
  }
  if (result.exit._tag === "Failure") {
    return Effect.fail(new ConvergenceRunFailed({ nodes: options.nodes, reason: String(result.exit.cause) }))
  }
  const elapsed = (reachedAt ?? time.now) - writeAt
  const rounds = Math.max(1, Math.ceil(elapsed / round))
  const perNodeRound = (bytes: number) => Math.round(bytes / options.nodes / (elapsed / round))
  return Effect.succeed({
    nodes: options.nodes,
    fanout: gossip.fanout,
    rounds,
    virtualMs: elapsed,
    spread,
    bytesPerNodePerRound: perNodeRound(sentBytes() - bytesAtWrite),
    antiEntropyBytesPerNodePerRound: perNodeRound(antiEntropyBytes() - antiEntropyBytesAtWrite),
    converged: reachedAt !== undefined,
    realMs: performance.now() - started
  })
}
