/**
 * How fast one write reaches a whole cluster, and what gossip costs meanwhile: a reliable
 * network, N nodes, one write on the first node, and the clock stopped the moment the last
 * node holds it. And what gossip costs a settled cluster that nobody writes to, per node and
 * second, membership and anti-entropy apart. The figures are virtual time, so they do not
 * depend on the machine; only `realMs` does.
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

export interface SteadyStateOptions {
  readonly nodes: number
  readonly seed: number
  readonly gossip?: Partial<GossipConfig>
  /** How long the cluster runs before the measurement: every node writes once, then it settles. */
  readonly settleMs?: number
  /** How long the traffic is measured. */
  readonly windowMs?: number
}

export interface SteadyStateResult {
  readonly nodes: number
  /** Bytes one node sends per second, on average: summaries, digests, deltas, pushes. */
  readonly antiEntropyBytesPerNodePerSecond: number
  /** The same for probes, acks and rumours. */
  readonly membershipBytesPerNodePerSecond: number
  /** Virtual time of the whole run, settling included. */
  readonly virtualMs: number
  readonly realMs: number
  /** Messages the network delivered over the whole run. */
  readonly delivered: number
}

/**
 * A cluster in which every node has written once (so that each digest holds an entry per
 * node, as in a cluster in use), left to settle, then watched for `windowMs` with no writes.
 */
export const measureSteadyState = (
  options: SteadyStateOptions
): Effect.Effect<SteadyStateResult, ConvergenceRunFailed> => Effect.suspend(() => steadyState(options))

const steadyState = (options: SteadyStateOptions): Effect.Effect<SteadyStateResult, ConvergenceRunFailed> => {
  const started = performance.now()
  const gossip: GossipConfig = { ...defaultGossipConfig, ...options.gossip }
  const world = makeWorld(options.seed, Array.from({ length: options.nodes }, () => "zone-a"), false)
  const { network, time } = world
  const windowMs = options.windowMs ?? 10_000
  const bytesOf = (kinds: (kind: string) => boolean) =>
    [...network.trafficByKind].reduce((sum, [kind, traffic]) => sum + (kinds(kind) ? traffic.bytes : 0), 0)
  const isAntiEntropy = (kind: string) => antiEntropyKinds.has(kind)
  const isMembership = (kind: string) => !antiEntropyKinds.has(kind)
  let antiEntropy = 0
  let membership = 0

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
    for (const node of world.nodes) yield* cluster.write(node.id, "user", node.id, { steady: true })
    yield* Effect.sleep(options.settleMs ?? 30_000)
    const antiEntropyBefore = bytesOf(isAntiEntropy)
    const membershipBefore = bytesOf(isMembership)
    yield* Effect.sleep(windowMs)
    antiEntropy = bytesOf(isAntiEntropy) - antiEntropyBefore
    membership = bytesOf(isMembership) - membershipBefore
    yield* cluster.shutdown
  }).pipe(Effect.withClock(nodeClock(time)), Effect.withRandom(world.harnessRandom))

  const result = drive(program, new SimScheduler(), time)
  if (result._tag === "Stalled") {
    return Effect.fail(new ConvergenceRunFailed({ nodes: options.nodes, reason: "every fiber waits and no timer is pending" }))
  }
  if (result.exit._tag === "Failure") {
    return Effect.fail(new ConvergenceRunFailed({ nodes: options.nodes, reason: String(result.exit.cause) }))
  }
  const perNodeSecond = (bytes: number) => Math.round((bytes * 1000) / options.nodes / windowMs)
  return Effect.succeed({
    nodes: options.nodes,
    antiEntropyBytesPerNodePerSecond: perNodeSecond(antiEntropy),
    membershipBytesPerNodePerSecond: perNodeSecond(membership),
    virtualMs: time.now,
    realMs: performance.now() - started,
    delivered: world.trace.counts.delivered
  })
}
