/**
 * The simulated cluster: per node a disk (MemoryDisk, survives crashes), a container engine
 * (MemoryDriver, survives crashes too: containers outlive a crashed knot), a drifting clock,
 * and, while the node is up, one incarnation: a store opened on the disk, a transport from
 * the simulated network, and an actor system running the node actor. A crash stops the
 * actors (interrupting every fiber) and crashes the store; a restart builds a new
 * incarnation from what the disk kept.
 */
import { type Clock, Context, Effect, Exit, Layer, Queue, Scope } from "effect"
import { type ActorRef, type ActorSystemShape, LifecycleEvent, makeActorSystem } from "../actors/runtime/index.ts"
import { ContainerDriver, type ContainerDriverShape } from "../effects/container/containerDriver.ts"
import { MemoryDriver } from "../effects/container/memoryDriver.ts"
import { MemoryDisk, MemoryStore } from "../storage/memoryStore.ts"
import type { NodeId, StoredRecord } from "../storage/record.ts"
import { Store, type StoreShape } from "../storage/store.ts"
import type { StoreError } from "../storage/store.errors.ts"
import type { GossipConfig } from "../transport/gossip/gossip.config.ts"
import { GossipEvent } from "../transport/gossip/gossip.events.ts"
import { makeMembershipView, type MembershipSnapshot, type MembershipView } from "../transport/gossip/membershipView.ts"
import { Transport } from "../transport/transport.ts"
import { nodeClock, type VirtualTime } from "./clock.ts"
import type { SimNodeSpec } from "./faults.ts"
import type { SimNetwork } from "./network.ts"
import { type Prng, seededRandom } from "./prng.ts"
import { type SimNodeCommand, simNodeBehaviour } from "./simNode.ts"
import type { Trace } from "./trace.ts"

export interface ClusterNodeSpec extends SimNodeSpec {
  /** How far this node's clock reads ahead of (or behind) virtual time. */
  readonly driftMs: number
}

export interface ClusterOptions {
  readonly time: VirtualTime
  readonly network: SimNetwork
  readonly trace: Trace
  /** Each node incarnation draws its own stream from it. */
  readonly prng: Prng
  readonly nodes: ReadonlyArray<ClusterNodeSpec>
  readonly gossip: Partial<GossipConfig>
  /** The stores' HLC drift limit. */
  readonly maxDriftMs: number
  /** Replaces each store as opened (tests use it to break the store on purpose). */
  readonly wrapStore?: (store: StoreShape) => StoreShape
}

interface Incarnation {
  readonly system: ActorSystemShape
  /** The actor system's lifecycle events, traced when the checker drains them. */
  readonly lifecycle: Queue.Dequeue<LifecycleEvent>
  readonly node: ActorRef<SimNodeCommand>
  readonly view: MembershipView
  readonly store: StoreShape
  readonly crashStore: Effect.Effect<void>
  readonly scope: Scope.CloseableScope
  readonly startedAt: number
}

interface Slot {
  readonly spec: ClusterNodeSpec
  readonly disk: MemoryDisk
  readonly driver: ContainerDriverShape
  readonly clock: Clock.Clock
  incarnation: Incarnation | undefined
  starts: number
  /** When the node last went down (virtual ms), while it is down. */
  downSince: number | undefined
}

export interface SimCluster {
  readonly nodes: ReadonlyArray<ClusterNodeSpec>
  readonly start: (node: string) => Effect.Effect<void, StoreError>
  readonly crash: (node: string) => Effect.Effect<void>
  /** A write on `node`'s node actor; `undefined` when the node is down or the write failed. */
  readonly write: (node: string, kind: string, id: string, value: unknown) => Effect.Effect<StoredRecord | undefined>
  /** Since when the node has been down without a break; undefined while up. */
  readonly downSince: (node: string) => number | undefined
  readonly upNodes: () => ReadonlyArray<string>
  /** When the node's current incarnation started (virtual ms); undefined while down. */
  readonly startedAt: (node: string) => number | undefined
  readonly storeOf: (node: string) => StoreShape | undefined
  readonly viewOf: (node: string) => Effect.Effect<MembershipSnapshot | undefined>
  readonly drivers: ReadonlyArray<{ readonly node: string; readonly driver: ContainerDriverShape }>
  /** Writes the actor restarts and escalations since the last call into the trace. */
  readonly traceActorEvents: Effect.Effect<void>
  readonly shutdown: Effect.Effect<void>
}

const describeEvent = (event: GossipEvent): string =>
  GossipEvent.$match(event, {
    MemberChanged: (e) => `sees ${e.member} ${e.from}->${e.to} @${e.incarnation}`,
    Refuted: (e) => `refutes ${e.rumour} @${e.incarnation}`,
    SyncRefused: (e) => `refuses sync from ${e.peer}: ${e.reason}`,
    PeerDropped: (e) => `drops ${e.peer}: ${e.reason}`
  })

const describeLifecycle = (event: LifecycleEvent): string | undefined =>
  LifecycleEvent.$match(event, {
    Spawned: () => undefined,
    Stopped: () => undefined,
    Restarted: (e) => `actor ${e.path} restarted (${e.reason})`,
    Escalated: (e) => `actor ${e.path} escalated to ${e.to} (${e.reason})`
  })

export const makeCluster = (options: ClusterOptions): Effect.Effect<SimCluster> =>
  Effect.gen(function*() {
    const { network, time, trace } = options
    const slots = new Map<string, Slot>()
    const engines = yield* Scope.make()
    for (const spec of options.nodes) {
      network.register(spec.id, spec.zone)
      const context = yield* Layer.buildWithScope(MemoryDriver.layer(), engines)
      slots.set(spec.id, {
        spec,
        disk: MemoryDisk.empty(),
        driver: Context.get(context, ContainerDriver),
        clock: nodeClock(time, spec.driftMs),
        incarnation: undefined,
        starts: 0,
        downSince: undefined
      })
    }

    const slotOf = (node: string) => {
      const slot = slots.get(node)
      if (slot === undefined) throw new Error(`no simulated node ${node}`)
      return slot
    }

    const start = (node: string): Effect.Effect<void, StoreError> =>
      Effect.suspend(() => {
        const slot = slotOf(node)
        if (slot.incarnation !== undefined) return Effect.void
        slot.starts++
        slot.downSince = undefined
        return startIncarnation(slot).pipe(
          Effect.withClock(slot.clock),
          Effect.withRandom(seededRandom(options.prng.derive(`${node}/${slot.starts}`)))
        )
      })

    const startIncarnation = (slot: Slot): Effect.Effect<void, StoreError> =>
      Effect.gen(function*() {
        const node = slot.spec.id
        const scope = yield* Scope.make()
        const opened = yield* Scope.extend(
          MemoryStore.make({ disk: slot.disk, nodeId: node as NodeId, maxDriftMs: options.maxDriftMs }),
          scope
        )
        const store = options.wrapStore ? options.wrapStore(opened.store) : opened.store
        const transport = yield* network.attach(node)
        const view = yield* makeMembershipView(node, slot.spec.zone)
        const system = yield* makeActorSystem
        const lifecycle = yield* Scope.extend(system.subscribe, scope)
        const onEvent = (event: GossipEvent) =>
          Effect.sync(() => {
            trace.counts.stateChanges++
            trace.line(time.now, `${node} ${describeEvent(event)}`)
          })
        const ref = yield* system.spawn(
          simNodeBehaviour({ view, onEvent, config: { ...options.gossip, zone: slot.spec.zone } }),
          { name: "node" }
        ).pipe(Effect.provideService(Store, store), Effect.provideService(Transport, transport), Effect.orDie)
        slot.incarnation = {
          system,
          lifecycle,
          node: ref,
          view,
          store,
          crashStore: opened.crash,
          scope,
          startedAt: time.now
        }
        trace.line(time.now, `${node} up (start ${slot.starts})`)
      })

    /**
     * Traces the actor restarts and escalations of a node since the last drain. Drained by the
     * checker rather than watched by a fiber per node: they are rare, and a fiber woken for
     * every spawn and stop costs more than the whole drain.
     */
    const drainLifecycle = (node: string, incarnation: Incarnation) =>
      Effect.map(Queue.takeAll(incarnation.lifecycle), (events) => {
        for (const event of events) {
          const line = describeLifecycle(event)
          if (line === undefined) continue
          trace.counts.stateChanges++
          trace.line(time.now, `${node} ${line} at ${event.at}`)
        }
      })

    const crash = (node: string) =>
      Effect.gen(function*() {
        const slot = slotOf(node)
        const incarnation = slot.incarnation
        if (incarnation === undefined) return
        yield* drainLifecycle(node, incarnation)
        slot.incarnation = undefined
        slot.downSince = time.now
        yield* network.detach(node)
        yield* incarnation.system.shutdown
        yield* incarnation.crashStore
        yield* Scope.close(incarnation.scope, Exit.void)
        trace.line(time.now, `${node} down`)
      })

    const write = (node: string, kind: string, id: string, value: unknown) =>
      Effect.suspend(() => {
        const incarnation = slotOf(node).incarnation
        if (incarnation === undefined) return Effect.succeed(undefined)
        return incarnation.node.ask<StoredRecord, StoreError>(
          (reply) => ({ _tag: "Write", kind, id, value, reply }),
          "5 seconds"
        ).pipe(Effect.orElseSucceed(() => undefined))
      })

    const upNodes = () => [...slots.values()].filter((slot) => slot.incarnation !== undefined).map((slot) => slot.spec.id)

    return {
      nodes: options.nodes,
      start,
      crash,
      write,
      downSince: (node) => slotOf(node).downSince,
      upNodes,
      startedAt: (node) => slotOf(node).incarnation?.startedAt,
      storeOf: (node) => slotOf(node).incarnation?.store,
      viewOf: (node) =>
        Effect.suspend(() => {
          const incarnation = slotOf(node).incarnation
          return incarnation === undefined ? Effect.succeed(undefined) : incarnation.view.get
        }),
      drivers: [...slots.values()].map((slot) => ({ node: slot.spec.id, driver: slot.driver })),
      traceActorEvents: Effect.suspend(() =>
        Effect.forEach(
          [...slots.values()],
          (slot) => (slot.incarnation === undefined ? Effect.void : drainLifecycle(slot.spec.id, slot.incarnation)),
          { discard: true }
        )
      ),
      shutdown: Effect.gen(function*() {
        for (const node of upNodes()) {
          const incarnation = slotOf(node).incarnation!
          yield* drainLifecycle(node, incarnation)
          yield* incarnation.system.shutdown
          yield* Scope.close(incarnation.scope, Exit.void)
        }
        yield* Scope.close(engines, Exit.void)
      })
    }
  })
