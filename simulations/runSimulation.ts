/**
 * One entry point, one seed (TigerBeetle's VOPR): builds the cluster of a scenario, plays its
 * fault plan in virtual time with the checker running beside it, and reports what held.
 * Everything the run does follows from the seed and the code: same seed, same trace hash.
 */
import { Cause, Data, Effect, HashMap, Logger, Option } from "effect"
import type { ContainerDriverShape } from "../effects/container/containerDriver.ts"
import type { StoreShape } from "../storage/store.ts"
import type { GossipConfig } from "../transport/gossip/gossip.config.ts"
import { defaultGossipConfig } from "../transport/gossip/gossip.config.ts"
import { nodeClock, type VirtualTime } from "./clock.ts"
import { deadDetectionBoundMs, simulationGossip } from "./simulationGossip.ts"
import { makeCluster, type RequestOutcome, type SimCluster, simulatedOwner } from "./cluster.ts"
import { describeStep, type FaultPlan, FaultStep, planEnd } from "./faults.ts"
import {
  type AcknowledgedWrite,
  checkAcknowledged,
  checkConverged,
  checkSeenAlive,
  checkSeenDead,
  checkSingleRunningSpace,
  checkRequestsKept,
  checkLeafAuthority,
  checkLiveContainersKept,
  checkSpacesSettled,
  type SpaceRequests,
  looksSettled,
  type Violation
} from "./invariants.ts"
import { byzantineFrames } from "./byzantineLeaf.ts"
import type { SimNetwork } from "./network.ts"
import { findScenario, type Scenario, scenarioNames } from "./scenarios.ts"
import { drive, SimScheduler } from "./scheduler.ts"
import type { LinkMode } from "./linkMode.ts"
import { stepCostMeter, type StepCosts } from "./stepCosts.ts"
import type { Trace, TraceCounts } from "./trace.ts"
import { makeWorld, maxDriftMs } from "./world.ts"

export { deadDetectionBoundMs, simulationGossip }

export class UnknownScenario extends Data.TaggedError("UnknownScenario")<{ readonly name: string }> {
  override get message() {
    return `unknown scenario "${this.name}"; valid scenarios: ${scenarioNames.join(", ")}`
  }
}

export class TooFewNodes extends Data.TaggedError("TooFewNodes")<{
  readonly scenario: string
  readonly nodes: number
  readonly minimum: number
}> {
  override get message() {
    return `scenario ${this.scenario} needs at least ${this.minimum} nodes, not ${this.nodes}`
  }
}

export interface SimulationOptions {
  readonly seed: number
  readonly scenario: string | Scenario
  /** Cluster size; the scenario's default when absent. */
  readonly nodes?: number
  /** How cluster nodes reach each other (simLinks.ts): a full mesh when absent. */
  readonly links?: LinkMode
  /** Keep every trace line (for `--trace FILE`); the hash alone otherwise. */
  readonly keepTrace?: boolean
  readonly gossip?: Partial<GossipConfig>
  /** Wraps every store as it opens: tests use it to prove the checker catches a broken store. */
  readonly wrapStore?: (store: StoreShape) => StoreShape
  /** Wraps every node's container driver: tests use it to prove the checker catches a broken one. */
  readonly wrapDriver?: (driver: ContainerDriverShape) => ContainerDriverShape
  /**
   * Told how far the run has gone, at most once per `progressEveryMs` of real time (1 s when
   * absent): a large run takes minutes, and gives the event loop no turn to report otherwise.
   */
  readonly onProgress?: (progress: SimulationProgress) => void
  readonly progressEveryMs?: number
  /** Filled with where the run's real time went, step by step (stepCosts.ts). */
  readonly stepCosts?: StepCosts
}

export interface SimulationProgress {
  readonly virtualMs: number
  readonly realMs: number
  readonly delivered: number
}

export interface SimulationOutcome {
  readonly ok: boolean
  readonly seed: number
  readonly scenario: string
  readonly nodes: number
  readonly links: LinkMode
  readonly violations: ReadonlyArray<Violation>
  readonly traceHash: string
  /** Empty unless `keepTrace`. */
  readonly trace: ReadonlyArray<string>
  readonly counts: TraceCounts
  readonly virtualMs: number
  readonly realMs: number
}

const checkEveryMs = 1000
const settleCheckEveryMs = 250

/**
 * How long the harness waits before it looks at a cluster that has not settled, `now` being
 * before `deadline`: whole milliseconds, since a sleep is rounded to whole nanoseconds, and a
 * fraction rounded down leaves now short of the deadline by less than a nanosecond, where the
 * next sleep rounds to nothing and virtual time stops for good.
 */
export const nextLookInMs = (now: number, deadline: number): number =>
  Math.min(settleCheckEveryMs, Math.ceil(deadline - now))

const describeCause = (cause: Cause.Cause<unknown>) => Cause.pretty(cause).split("\n")[0] ?? "unknown failure"

/** The flags that name one run: a full mesh and the scenario's own size are left unsaid. */
export const runFlags = (scenario: string, seed: number, nodes?: number, links?: LinkMode): string =>
  `--scenario ${scenario} --seed ${seed}${nodes === undefined ? "" : ` --nodes ${nodes}`}${
    links === "view" ? " --links view" : ""
  }`

export const replayCommand = (scenario: string, seed: number, nodes?: number, links?: LinkMode): string =>
  `knot sim run ${runFlags(scenario, seed, nodes, links)}`

export interface ResolvedScenario {
  readonly scenario: Scenario
  readonly nodes: number
}

/** The scenario an option names, and the cluster size to run it with. */
export const resolveScenario = (
  options: Pick<SimulationOptions, "scenario" | "nodes">
): Effect.Effect<ResolvedScenario, UnknownScenario | TooFewNodes> =>
  Effect.suspend((): Effect.Effect<ResolvedScenario, UnknownScenario | TooFewNodes> => {
    const scenario = typeof options.scenario === "string" ? findScenario(options.scenario) : options.scenario
    if (scenario === undefined) return Effect.fail(new UnknownScenario({ name: String(options.scenario) }))
    const nodes = options.nodes ?? scenario.defaultNodes
    if (nodes < scenario.minNodes) {
      return Effect.fail(new TooFewNodes({ scenario: scenario.name, nodes, minimum: scenario.minNodes }))
    }
    return Effect.succeed({ scenario, nodes })
  })

/** Runs one simulation; fails only for a scenario that does not exist or cannot be sized. */
export const runSimulation = (
  options: SimulationOptions
): Effect.Effect<SimulationOutcome, UnknownScenario | TooFewNodes> =>
  Effect.map(resolveScenario(options), ({ nodes, scenario }) => simulate(scenario, nodes, options))

const simulate = (scenario: Scenario, count: number, options: SimulationOptions): SimulationOutcome => {
  const started = performance.now()
  const { clusterPrng, harnessRandom, network, nodes, planPrng, time, trace } = makeWorld(
    options.seed,
    scenario.zones(count),
    options.keepTrace ?? false,
    scenario.leaves ?? 0,
    options.links
  )
  const plan = scenario.plan(planPrng, nodes)
  const gossip: GossipConfig = { ...defaultGossipConfig, ...simulationGossip, ...options.gossip }
  const violations: Array<Violation> = []
  const program = Effect.gen(function*() {
    const cluster = yield* makeCluster({
      time,
      network,
      trace,
      prng: clusterPrng,
      nodes,
      gossip,
      maxDriftMs,
      ...(options.wrapStore === undefined ? {} : { wrapStore: options.wrapStore }),
      ...(options.wrapDriver === undefined ? {} : { wrapDriver: options.wrapDriver })
    })
    for (const node of nodes) yield* cluster.start(node.id)
    yield* Effect.fork(checker(cluster, violations))
    const { acknowledged, checksDueBy, spaces } = yield* play(cluster, network, trace, plan, gossip, nodes.length, violations)
    const finalChecks = (at: number) =>
      Effect.map(
        Effect.all([
          checkConverged(cluster, at),
          checkAcknowledged(cluster, acknowledged, at),
          checkSeenAlive(cluster, at),
          checkSingleRunningSpace(cluster, at),
          checkSpacesSettled(cluster, at),
          checkRequestsKept(cluster, spaces, at),
          checkLiveContainersKept(cluster, spaces, at),
          checkLeafAuthority(cluster, cluster.leaves, maxDriftMs, at)
        ]),
        (found) => found.flat()
      )
    // The quiet period is a bound: the run ends as soon as the cluster has converged (and
    // every pending check has run), and fails if it has not by the end of the period.
    const deadline = Math.max(planEnd(plan, nodes.length, options.links), checksDueBy.at + 1)
    for (;;) {
      const now = time.now
      if (now >= deadline || (now > checksDueBy.at && (yield* looksSettled(cluster)))) {
        const found = yield* finalChecks(now)
        if (found.length === 0 || now >= deadline) {
          violations.push(...found)
          trace.line(now, found.length === 0 ? "converged" : "did not converge")
          break
        }
      }
      yield* Effect.sleep(nextLookInMs(now, deadline))
    }
    // The nodes are left as they are rather than stopped: stopping every stream and actor of
    // every node costs more than the rest of a small run, and the run is over. What their
    // actors reported since the checker last looked still goes into the trace.
    yield* cluster.traceActorEvents
  }).pipe(
    Effect.withClock(nodeClock(time)),
    Effect.withRandom(harnessRandom),
    // What the nodes log goes into the trace, at virtual time: a replay shows it in place.
    Effect.provide(Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ annotations, logLevel, message }) => {
        const node = HashMap.get(annotations, "node").pipe(Option.map(String), Option.getOrElse(() => "harness"))
        const text = Array.isArray(message) ? message.join(" ") : String(message)
        trace.line(time.now, `${node} log ${logLevel.label} ${text}`)
      })
    ))
  )

  const scheduler = new SimScheduler()
  const reportProgress = progressReporter(options, started, time, trace)
  const meter = options.stepCosts === undefined ? undefined : stepCostMeter(options.stepCosts, scheduler, time, network, trace)
  const afterTimer = meter === undefined
    ? reportProgress
    : reportProgress === undefined
    ? meter
    : () => {
      meter()
      reportProgress()
    }
  const result = drive(program, scheduler, time, afterTimer)
  // The last step (the final checks among it) ends with the run, not at a timer.
  meter?.()
  if (result._tag === "Stalled") {
    violations.push({ at: time.now, invariant: "progress", detail: "every fiber waits and no timer is pending" })
  } else if (result.exit._tag === "Failure") {
    violations.push({ at: time.now, invariant: "harness", detail: describeCause(result.exit.cause) })
  }
  for (const violation of violations) trace.line(violation.at, `VIOLATION ${violation.invariant}: ${violation.detail}`)
  return {
    ok: violations.length === 0,
    seed: options.seed,
    scenario: scenario.name,
    nodes: count,
    links: options.links ?? "full-mesh",
    violations,
    traceHash: trace.digest(),
    trace: trace.lines,
    counts: trace.counts,
    virtualMs: time.now,
    realMs: performance.now() - started
  }
}

/** What `drive` calls after each timer: tells `onProgress` how far the run has gone, when due. */
const progressReporter = (options: SimulationOptions, started: number, time: VirtualTime, trace: Trace) => {
  const onProgress = options.onProgress
  if (onProgress === undefined) return undefined
  const every = options.progressEveryMs ?? 1000
  let due = started + every
  return () => {
    const now = performance.now()
    if (now < due) return
    due = now + every
    onProgress({ virtualMs: time.now, realMs: now - started, delivered: trace.counts.delivered })
  }
}

/** Checks that hold at every moment, once per virtual second; traces actor restarts. */
const checker = (cluster: SimCluster, violations: Array<Violation>) =>
  Effect.forever(
    Effect.gen(function*() {
      yield* Effect.sleep(checkEveryMs)
      const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      yield* cluster.traceActorEvents
      violations.push(...(yield* checkSingleRunningSpace(cluster, now)))
    })
  )

const isRequest = (step: FaultStep) =>
  step._tag === "Write" || step._tag === "PutTemplate" || step._tag === "CreateSpace" || step._tag === "SpaceRequest"

/** Plays the plan's steps at their times; returns the writes that were acknowledged. */
const play = (
  cluster: SimCluster,
  network: SimNetwork,
  trace: Trace,
  plan: FaultPlan,
  gossip: GossipConfig,
  nodes: number,
  violations: Array<Violation>
) =>
  Effect.gen(function*() {
    const acknowledged: Array<AcknowledgedWrite> = []
    /** When the last check still waiting to run (a crash's detection bound) is due. */
    const checksDueBy = { at: 0 }
    /** Crashes `node`, and checks later that every live node has seen it dead, if it is still down. */
    const crash = (node: string, at: number) =>
      Effect.gen(function*() {
        yield* cluster.crash(node)
        const bound = deadDetectionBoundMs(nodes, gossip)
        checksDueBy.at = Math.max(checksDueBy.at, at + bound)
        yield* Effect.fork(Effect.gen(function*() {
          yield* Effect.sleep(bound)
          if (cluster.downSince(node) !== at) return
          violations.push(...(yield* checkSeenDead(cluster, node, at, bound, at + bound)))
        }))
      })
    /**
     * A user's request, made on `preferred` or, while it is down, on the next live node (as a
     * user would), and answered in its own time: what it wrote must survive like any write.
     */
    const spaces: SpaceRequests = { created: [], deleted: new Set(), inDoubt: new Set() }
    const request = (
      at: number,
      preferred: string,
      what: string,
      make: (node: string) => Effect.Effect<RequestOutcome>,
      track: (outcome: RequestOutcome) => void = () => {}
    ) => {
      const node = cluster.reachable(preferred)
      if (node === undefined) return Effect.sync(() => trace.line(at, `no live node for ${what}`))
      if (node !== preferred) trace.line(at, `${preferred} is down: ${what} goes to ${node}`)
      const answered = (outcome: RequestOutcome) =>
        Effect.clockWith((clock) =>
          Effect.sync(() => {
            trace.counts.writes++
            track(outcome)
            if (outcome._tag === "NodeDown") return
            if (outcome._tag === "Refused") {
              return trace.line(clock.unsafeCurrentTimeMillis(), `${node} refused ${what}: ${outcome.reason}`)
            }
            trace.counts.acknowledged++
            acknowledged.push({ node, record: outcome.record })
          })
        )
      // A user's mistake is refused; a request that dies is knot's bug.
      const died = (defect: unknown) =>
        Effect.sync(() => {
          violations.push({ at, invariant: "request", detail: `${what} on ${node} died: ${String(defect)}` })
        })
      return Effect.asVoid(Effect.fork(make(node).pipe(Effect.flatMap(answered), Effect.catchAllDefect(died))))
    }
    for (const step of plan.steps) {
      const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      if (step.at > now) yield* Effect.sleep(step.at - now)
      const at = step.at
      trace.counts.faults += isRequest(step) ? 0 : 1
      trace.line(at, describeStep(step))
      yield* FaultStep.$match(step, {
        Write: (s) =>
          Effect.asVoid(Effect.fork(
            Effect.map(cluster.write(s.node, s.kind, s.id, s.value), (record) => {
              trace.counts.writes++
              if (record === undefined) return
              trace.counts.acknowledged++
              acknowledged.push({ node: s.node, record })
            })
          )),
        Partition: (s) => Effect.sync(() => network.cutLinks(s.sides[0], s.sides[1], true)),
        OneWay: (s) => Effect.sync(() => network.cutLinks(s.from, s.to, false)),
        Isolate: (s) => Effect.sync(() => network.isolate([s.node])),
        IsolateZone: (s) => Effect.sync(() => network.isolate(network.nodesInZone(s.zone))),
        Heal: () => Effect.sync(() => network.heal()),
        Crash: (s) => crash(s.node, at),
        Restart: (s) => Effect.orDie(cluster.start(s.node)),
        Flaky: (s) => Effect.sync(() => network.setFaults(s.faults)),
        PutTemplate: (s) => request(at, s.node, `template ${s.name}`, (node) => cluster.putTemplate(node, s.name, s.image, s.zones)),
        CreateSpace: (s) =>
          request(at, s.node, `space ${s.space}`, (node) => cluster.createSpace(node, s.space, s.template, s.owner), (outcome) => {
            if (outcome._tag === "Written") {
              spaces.created.push({ id: outcome.record.id, name: s.space, owner: s.owner ?? simulatedOwner, node: s.node })
            }
          }),
        SpaceRequest: (s) =>
          request(
            at,
            s.node,
            `${s.request} of ${s.space}`,
            (node) => cluster.requestSpace(node, s.space, s.request),
            (outcome) => {
              if (s.request !== "delete") return
              if (outcome._tag === "Written") spaces.deleted.add(outcome.record.id)
              // A node that went down mid-request may have written it: which space it hit is unknown.
              if (outcome._tag === "NodeDown") spaces.inDoubt.add(s.space)
            }
          ),
        RestartOwnersEngine: (s) =>
          Effect.gen(function*() {
            const owner = yield* cluster.ownerOf(s.space)
            if (owner === undefined) return trace.line(at, `no live node knows ${s.space}'s owner`)
            const exited = yield* cluster.restartEngine(owner)
            trace.line(at, `${owner}'s engine restarted; ${exited} running container(s) exited unseen`)
          }),
        CrashOwner: (s) =>
          Effect.gen(function*() {
            const owner = yield* cluster.ownerOf(s.space)
            if (owner === undefined) return trace.line(at, `no live node knows ${s.space}'s owner`)
            if (cluster.startedAt(owner) === undefined) return trace.line(at, `${owner}, owner of ${s.space}, is down`)
            trace.line(at, `crash ${owner}, owner of ${s.space}`)
            yield* crash(owner, at)
            yield* Effect.fork(Effect.delay(Effect.orDie(cluster.start(owner)), s.downMs))
          }),
        Byzantine: (s) =>
          Effect.sync(() => {
            const origin = cluster.nodes.find((node) => node.id === s.leaf)?.origin
            if (origin === undefined) return trace.line(at, `${s.leaf} is not a leaf`)
            for (const frame of byzantineFrames(s.leaf, origin, at, maxDriftMs / 2, { maxFrameBytes: gossip.maxFrameBytes })) {
              network.inject(s.leaf, origin, frame)
            }
            for (const node of cluster.nodes) {
              if (node.id !== s.leaf) network.claimIdentity(s.leaf, node.id)
            }
          })
      })
    }
    return { acknowledged, checksDueBy, spaces }
  })
