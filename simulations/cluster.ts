/**
 * The simulated cluster: per node a disk (MemoryDisk, survives crashes), a container engine
 * (MemoryDriver, survives crashes too: containers outlive a crashed knot; every call takes
 * virtual time), a drifting clock, and, while the node is up, one incarnation: a store opened
 * on the disk, a transport from the simulated network, the Spaces and Templates services
 * users call, and an actor system running knot's own node actor (simNode.ts). A crash stops the
 * actors (interrupting every fiber) and crashes the store; a restart builds a new
 * incarnation from what the disk kept.
 */
import { type Clock, Context, Effect, Either, Exit, Queue, Scope } from "effect"
import { nodeKind } from "../actors/node/node.actor.ts"
import { leafKind } from "../storage/kinds/leaf.ts"
import { templateKind } from "../actors/node/templates.live.ts"
import { Templates } from "../actors/node/templates.ts"
import { type ActorSystemShape, LifecycleEvent, makeActorSystem } from "../actors/runtime/index.ts"
import { findSpaceView, spaceKind } from "../actors/space/spaceRecord.ts"
import { Spaces } from "../actors/space/spaces.ts"
import { ContainerDriver, type ContainerDriverShape, type ContainerInfo } from "../effects/container/containerDriver.ts"
import { MemoryDriver, MemoryEngine, type MemoryEngineShape } from "../effects/container/memoryDriver.ts"
import { MemoryDisk, MemoryStore } from "../storage/memoryStore.ts"
import type { NodeId, StoredRecord } from "../storage/record.ts"
import { Store, type StoreShape } from "../storage/store.ts"
import type { StoreError } from "../storage/store.errors.ts"
import type { GossipConfig } from "../transport/gossip/gossip.config.ts"
import { GossipEvent } from "../transport/gossip/gossip.events.ts"
import { makeMembershipView, type MembershipSnapshot, type MembershipView } from "../transport/gossip/membershipView.ts"
import { Transport } from "../transport/transport.ts"
import { nodeClock, type VirtualTime } from "./clock.ts"
import type { SimNodeSpec, SpaceRequestKind } from "./faults.ts"
import type { SimNetwork } from "./network.ts"
import { type Prng, seededRandom } from "./prng.ts"
import { type LeafScope, ownScope } from "../transport/gossip/leafAuthority.ts"
import { simNodeBehaviour, simNodeServices } from "./simNode.ts"
import { type EngineWatch, withEngineLatency } from "./simEngine.ts"
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
  /** Replaces each node's container driver as it starts (tests use it to break the driver on purpose). */
  readonly wrapDriver?: (driver: ContainerDriverShape) => ContainerDriverShape
}

interface Incarnation {
  readonly system: ActorSystemShape
  /** The actor system's lifecycle events, traced when the checker drains them. */
  readonly lifecycle: Queue.Dequeue<LifecycleEvent>
  readonly services: Context.Context<Spaces | Templates | Store>
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
  /** What the world outside knot does to this node's engine. */
  readonly controls: MemoryEngineShape
  readonly clock: Clock.Clock
  readonly engine: EngineWatch
  incarnation: Incarnation | undefined
  starts: number
  /** When the node last went down (virtual ms), while it is down. */
  downSince: number | undefined
}

/** The user whose spaces the scenarios create and ask for: they test one owner's names meeting. */
export const simulatedOwner = "dev"

/** A user of the cluster alone: no leaf serves them, so their spaces and state are withheld from leaves. */
export const clusterOnlyOwner = "ops"

/**
 * A user each leaf serves when first added and not once added again: what it held of theirs
 * must leave it.
 */
export const formerLeafUser = "bea"

interface RecordKey {
  readonly kind: string
  readonly id: string
}

/**
 * What a user's request on a node came to: the record it wrote, refused with the message a
 * user would see, or nothing because the node was down.
 */
export type RequestOutcome =
  | { readonly _tag: "Written"; readonly record: StoredRecord }
  | { readonly _tag: "Refused"; readonly reason: string }
  | { readonly _tag: "NodeDown" }

export interface ContainerRemoval {
  /** The node whose engine removed it. */
  readonly node: string
  /** Virtual ms. */
  readonly at: number
  readonly info: ContainerInfo
}

export interface SimCluster {
  /**
   * Each leaf and what it may write whatever its record says: its simulated user's spaces.
   * What its origin lets it write and sends it follows its leaf record (`leafScopeOn`).
   */
  readonly leaves: ReadonlyMap<string, LeafScope>
  /** A leaf's scope as `node`'s store holds its leaf record; undefined for a cluster node. */
  readonly leafScopeOn: (node: string, leaf: string) => Effect.Effect<LeafScope | undefined>
  readonly nodes: ReadonlyArray<ClusterNodeSpec>
  readonly start: (node: string) => Effect.Effect<void, StoreError>
  readonly crash: (node: string) => Effect.Effect<void>
  /** A write to `node`'s store; `undefined` when the node is down or the write failed. */
  readonly write: (node: string, kind: string, id: string, value: unknown) => Effect.Effect<StoredRecord | undefined>
  readonly putTemplate: (node: string, name: string, image: string, zones?: ReadonlyArray<string>) => Effect.Effect<RequestOutcome>
  readonly createSpace: (node: string, space: string, template: string, owner?: string) => Effect.Effect<RequestOutcome>
  readonly requestSpace: (node: string, space: string, request: SpaceRequestKind) => Effect.Effect<RequestOutcome>
  /**
   * `preferred` if it is up, else (for a cluster node) the next live cluster node after it in
   * id order: where a user turns when their node does not answer.
   */
  readonly reachable: (preferred: string) => string | undefined
  /** The node a space's record names, as the first live node holding it says. */
  readonly ownerOf: (space: string) => Effect.Effect<string | undefined>
  /** The node's engine restarts: its event stream ends and its running containers exit unseen; how many did. */
  readonly restartEngine: (node: string) => Effect.Effect<number>
  /** Since when the node has been down without a break; undefined while up. */
  readonly downSince: (node: string) => number | undefined
  readonly upNodes: () => ReadonlyArray<string>
  /** When the node's current incarnation started (virtual ms); undefined while down. */
  readonly startedAt: (node: string) => number | undefined
  readonly storeOf: (node: string) => StoreShape | undefined
  readonly viewOf: (node: string) => Effect.Effect<MembershipSnapshot | undefined>
  readonly drivers: ReadonlyArray<{ readonly node: string; readonly driver: ContainerDriverShape }>
  /** Every container any engine removed, in order. */
  readonly removals: ReadonlyArray<ContainerRemoval>
  /** Writes the actor restarts and escalations since the last call into the trace. */
  readonly traceActorEvents: Effect.Effect<void>
  readonly shutdown: Effect.Effect<void>
}

const describeEvent = (event: GossipEvent): string =>
  GossipEvent.$match(event, {
    MemberChanged: (e) => `sees ${e.member} ${e.from}->${e.to} @${e.incarnation}`,
    Refuted: (e) => `refutes ${e.rumour} @${e.incarnation}`,
    SyncRefused: (e) => `refuses sync from ${e.peer}: ${e.reason}`,
    PeerDropped: (e) => `drops ${e.peer}: ${e.reason}`,
    RecordsRefused: (e) => `refuses ${e.kind} records from ${e.peer}: ${e.reason}`,
    ShareChanged: (e) => `leaf ${e.leaf}'s share changed: forgets ${e.forgotten} watermarks, drops ${e.dropped} tombstones, evicts ${e.evicted} records`
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
    const removals: Array<ContainerRemoval> = []
    for (const spec of options.nodes) {
      network.register(spec.id, spec.zone, spec.origin)
      const context = yield* MemoryDriver.make()
      slots.set(spec.id, {
        spec,
        disk: MemoryDisk.empty(),
        driver: Context.get(context, ContainerDriver),
        controls: Context.get(context, MemoryEngine),
        clock: nodeClock(time, spec.driftMs),
        engine: {
          log: (change) => trace.line(time.now, `${spec.id} engine ${change}`),
          removed: (info) => removals.push({ node: spec.id, at: time.now, info }),
          inFlight: 0
        },
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
          Effect.annotateLogs("node", node),
          Effect.withClock(slot.clock),
          Effect.withRandom(seededRandom(options.prng.derive(`${node}/${slot.starts}`)))
        )
      })

    /** Each leaf serves the simulated user, as a leaf added with `knot leaf add NAME --user dev` does. */
    const leafScopes = new Map(
      options.nodes.filter((spec) => spec.origin !== undefined).map((spec): [string, LeafScope] => [
        spec.id,
        { name: spec.id, node: spec.id, users: new Set([simulatedOwner]), zone: spec.zone }
      ])
    )
    /**
     * As a real origin reads it (cli/server/leafScopes.live.ts): from the leaf record `store`
     * holds, and no user's, no zone (every template goes), nor the leaf's watermark, while it
     * holds none that reads.
     */
    const leafScopeIn = (store: StoreShape | undefined, leaf: string): Effect.Effect<LeafScope | undefined> => {
      const base = leafScopes.get(leaf)
      if (base === undefined) return Effect.succeed(undefined)
      const unserved: LeafScope = { ...base, users: new Set(), zone: undefined, unread: true }
      if (store === undefined) return Effect.succeed(unserved)
      return store.get(leafKind, leaf).pipe(
        Effect.map((record) =>
          record === undefined ? unserved : ownScope(record, leaf) ?? { ...unserved, version: record.version }
        ),
        Effect.orElseSucceed(() => unserved)
      )
    }

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
        // As a real node does on start, so that peers learn its zone and mode. Virtual time
        // starts at 0, so a clock that runs behind reads before the epoch, which no record allows.
        const startedAt = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        const publicKey = network.publicKeyOf(node)
        yield* store.put(nodeKind, node, {
          zone: slot.spec.zone,
          mode: slot.spec.origin === undefined ? "cluster" : "leaf",
          startedAt: Math.max(0, startedAt),
          ...(publicKey === undefined ? {} : { publicKey })
        })
        const services = yield* simNodeServices(slot.spec, view, store, scope)
        yield* system.spawn(
          simNodeBehaviour({ role: slot.spec, view, onEvent, gossip: options.gossip, leafScope: (peer) => leafScopeIn(store, peer) }),
          { name: "node" }
        ).pipe(
          Effect.provide(services),
          Effect.provideService(Transport, transport),
          Effect.provideService(
            ContainerDriver,
            withEngineLatency(options.wrapDriver ? options.wrapDriver(slot.driver) : slot.driver, slot.engine)
          ),
          Effect.orDie
        )
        slot.incarnation = {
          system,
          lifecycle,
          services,
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
        if (slot.engine.inFlight > 0) {
          trace.counts.crashesMidStep++
          trace.line(time.now, `${node} crashes with ${slot.engine.inFlight} engine call(s) under way`)
        }
        slot.incarnation = undefined
        slot.downSince = time.now
        yield* network.detach(node)
        yield* incarnation.system.shutdown
        yield* incarnation.crashStore
        yield* Scope.close(incarnation.scope, Exit.void)
        trace.line(time.now, `${node} down`)
      })

    /** Runs a user's call on `node`, on that node's clock; `undefined` while it is down. */
    const onNode = <A>(
      node: string,
      call: Effect.Effect<A, never, Spaces | Templates | Store>
    ): Effect.Effect<A | undefined> =>
      Effect.suspend(() => {
        const slot = slotOf(node)
        const incarnation = slot.incarnation
        if (incarnation === undefined) return Effect.succeed(undefined)
        return call.pipe(Effect.provide(incarnation.services), Effect.withClock(slot.clock))
      })

    const write = (node: string, kind: string, id: string, value: unknown) =>
      Effect.map(
        onNode(node, Effect.flatMap(Store, (store) => Effect.option(store.put(kind, id, value)))),
        (written) => written?._tag === "Some" ? written.value : undefined
      )

    /** A request's outcome: the record it left under the key its call answers with, or why it was refused. */
    const request = (
      node: string,
      call: Effect.Effect<RecordKey, { readonly message: string }, Spaces | Templates | Store>
    ): Effect.Effect<RequestOutcome> =>
      Effect.map(
        onNode(
          node,
          Effect.flatMap(Effect.either(call), (done) =>
            Either.isLeft(done)
              ? Effect.succeed<RequestOutcome>({ _tag: "Refused", reason: done.left.message })
              : Effect.flatMap(Store, (store) =>
                Effect.map(
                  Effect.orDie(store.get(done.right.kind, done.right.id)),
                  (record): RequestOutcome =>
                    record === undefined
                      ? { _tag: "Refused", reason: `no ${done.right.kind} ${done.right.id} after the request` }
                      : { _tag: "Written", record }
                )
              ))
        ),
        (outcome) => outcome ?? { _tag: "NodeDown" }
      )

    const putTemplate = (node: string, name: string, image: string, zones: ReadonlyArray<string> = []) =>
      request(
        node,
        Effect.flatMap(Templates, (templates) => templates.put({ name, image, env: {}, volumes: [], zones })).pipe(
          Effect.as({ kind: templateKind, id: name })
        )
      )

    const spaceKey = (view: { readonly id: string }): RecordKey => ({ kind: spaceKind, id: view.id })

    const createSpace = (node: string, space: string, template: string, owner = simulatedOwner) =>
      request(
        node,
        Effect.flatMap(Spaces, (spaces) => spaces.create({ name: space, template, owner })).pipe(
          Effect.map(spaceKey)
        )
      )

    // As a user would: by the name, as the node they talk to shows it.
    const requestSpace = (node: string, space: string, kind: SpaceRequestKind) =>
      request(
        node,
        Effect.flatMap(Spaces, (spaces) =>
          Effect.flatMap(spaces.find(simulatedOwner, space), (view) => spaces[kind](view.id))).pipe(Effect.map(spaceKey))
      )

    const ownerOf = (space: string) =>
      Effect.gen(function*() {
        for (const slot of slots.values()) {
          if (slot.incarnation === undefined) continue
          const view = yield* Effect.orDie(findSpaceView(slot.incarnation.store, simulatedOwner, space))
          if (view !== undefined) return view.node
        }
        return undefined
      })

    const upNodes = () => [...slots.values()].filter((slot) => slot.incarnation !== undefined).map((slot) => slot.spec.id)

    return {
      nodes: options.nodes,
      leaves: leafScopes,
      leafScopeOn: (node, leaf) => leafScopeIn(slotOf(node).incarnation?.store, leaf),
      start,
      crash,
      write,
      putTemplate,
      createSpace,
      requestSpace,
      ownerOf,
      restartEngine: (node) => Effect.suspend(() => slotOf(node).controls.restart),
      reachable: (preferred) => {
        // A leaf's user has that leaf alone; a cluster user turns to another cluster node.
        if (slotOf(preferred).spec.origin !== undefined) {
          return slotOf(preferred).incarnation === undefined ? undefined : preferred
        }
        const ids = [...slots.keys()].filter((node) => slotOf(node).spec.origin === undefined)
        const from = ids.indexOf(preferred)
        const order = [...ids.slice(from), ...ids.slice(0, from)]
        return order.find((node) => slotOf(node).incarnation !== undefined)
      },
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
      removals,
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
      })
    }
  })
