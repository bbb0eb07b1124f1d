/**
 * The NodeActor: the root of a knot process (`node`). Under it run, in start order, the
 * extra children its embedder asks for (gossip), one ZoneActor per known zone, and one
 * SpaceActor per space this node owns. It watches the store's changes: a space record that
 * names this node gets an actor (or is handed to its actor), a tombstoned one has its actor
 * stopped. Stopping the node stops its spaces first (the runtime stops children last-started
 * first) and leaves their containers running: a node stop is not a space stop.
 */
import { Duration, Effect, Either, Scope } from "effect"
import type { Change } from "../../storage/store.ts"
import { Store } from "../../storage/store.ts"
import { Node } from "../../storage/kinds/node.ts"
import type { ActorRef, Reply } from "../runtime/actorRef.ts"
import type { ActorContext, Behaviour } from "../runtime/behaviour.ts"
import type { SupervisionPolicy } from "../runtime/supervision.ts"
import { ActorSystem } from "../runtime/actorSystem.ts"
import type { SpaceActorOptions, SpaceActorRequirements, SpaceMessage } from "../space/space.actor.ts"
import { spaceActor, spaceActorName } from "../space/space.actor.ts"
import { decodeRecordValue } from "../space/recordCodec.ts"
import { decodeSpace, spaceKind } from "../space/spaceRecord.ts"
import type { ZoneMember, ZoneMessage } from "../zone/zone.actor.ts"
import { healthOf, zoneActor, zoneActorName } from "../zone/zone.actor.ts"
import { ClusterView } from "./clusterView.ts"
import { removeStrayContainers, spacesWithContainers } from "./strayContainers.ts"
import { removeMarkedVolume } from "./keptVolumeRemoval.ts"
import { followEngineEvents } from "./engineEvents.ts"
import { volumeKind } from "../space/keptVolumes.ts"

export const nodeKind = "node"

export interface NodeActorOptions<R = never> {
  readonly space?: SpaceActorOptions
  /** How often zones are re-read from the cluster view; default 5 seconds. */
  readonly zonesEvery?: Duration.DurationInput
  /** How zone and space actors are restarted; the node's own policy when absent. */
  readonly childSupervision?: SupervisionPolicy
  /**
   * Starts more children under the node, before its zones and spaces, so that they stop
   * after them. Gossip passes `(ctx) => spawnGossip(ctx, options)` here.
   */
  readonly extraChildren?: (ctx: ActorContext<NodeMessage>) => Effect.Effect<unknown, unknown, R>
}

export interface NodeStatus {
  readonly node: string
  /** Ids of the spaces this node runs an actor for, sorted. */
  readonly spaces: ReadonlyArray<string>
  readonly zones: ReadonlyArray<string>
}

export type NodeMessage =
  | { readonly _tag: "Changed"; readonly change: Change }
  /** The engine reported a change to a container of this space (engineEvents.ts). */
  | { readonly _tag: "ContainerChanged"; readonly space: string }
  /** Every space checks its container: the engine's event stream was (re)subscribed. */
  | { readonly _tag: "CheckAllSpaces" }
  | { readonly _tag: "RefreshZones" }
  | { readonly _tag: "Status"; readonly reply: Reply<NodeStatus> }

/** Private to the node actor's fiber, so the maps are updated in place. */
interface NodeState {
  readonly node: string
  readonly spaces: Map<string, ActorRef<SpaceMessage>>
  readonly zones: Map<string, ActorRef<ZoneMessage>>
  /** A RefreshZones is in the mailbox: node records that change before it runs need no other. */
  zonesQueued: boolean
}

export const nodeActorName = "node"

/** A record value's `zone` as it stands, or "" (no zone's name) when it has none. */
const zoneField = (value: unknown): string => {
  const zone = typeof value === "object" && value !== null ? (value as { readonly zone?: unknown }).zone : undefined
  return typeof zone === "string" ? zone : ""
}

export type NodeActorRequirements = SpaceActorRequirements | ClusterView

export const nodeActor = <R = never>(
  options: NodeActorOptions<R> = {}
): Behaviour<NodeMessage, NodeState, NodeActorRequirements | R> => {
  const supervision = options.childSupervision === undefined ? {} : { supervision: options.childSupervision }
  const zonesEvery = Duration.decode(options.zonesEvery ?? "5 seconds")

  const startSpace = (state: NodeState, id: string, ctx: ActorContext<NodeMessage>) =>
    ctx.spawn(spaceActor(id, options.space), { name: spaceActorName(id), ...supervision }).pipe(
      Effect.tap((ref) => Effect.sync(() => state.spaces.set(id, ref))),
      Effect.catchTag("ActorNameTaken", (error) => Effect.logWarning(error.message)),
      Effect.asVoid
    )

  const stopSpace = (state: NodeState, id: string) =>
    Effect.suspend(() => {
      const ref = state.spaces.get(id)
      state.spaces.delete(id)
      return ref === undefined ? Effect.void : ref.stop
    })

  const onSpaceChange = (state: NodeState, change: Change, ctx: ActorContext<NodeMessage>) =>
    Effect.gen(function*() {
      const { record } = change
      if (record.deleted) return yield* stopSpace(state, record.id)
      const space = decodeSpace(record)
      if (Either.isLeft(space)) return yield* Effect.logWarning(space.left.message)
      const ref = state.spaces.get(record.id)
      // A space placed on another node is only shown here, never run.
      if (space.right.node !== state.node) {
        const hadActor = state.spaces.has(record.id)
        yield* stopSpace(state, record.id)
        if (hadActor) yield* removeStrayContainers(state.node, record.id, space.right.node)
        return
      }
      if (ref !== undefined && (yield* ref.isAlive)) return yield* ref.tell({ _tag: "RecordChanged", record })
      yield* startSpace(state, record.id, ctx)
    })

  /** The members of each zone, from the cluster view and from node records it does not cover. */
  const zoneMembers = Effect.gen(function*() {
    const byZone = new Map<string, Array<ZoneMember>>()
    const add = (zone: string, member: ZoneMember) => {
      const members = byZone.get(zone)
      if (members === undefined) byZone.set(zone, [member])
      else members.push(member)
    }
    const members = yield* (yield* ClusterView).memberZones
    // A member heard of before any message told its zone has none yet: it joins one later.
    const placed = members.filter((member) => member.zone !== "")
    for (const member of placed) add(member.zone, { node: member.id, health: healthOf(member.state) })
    const seen = new Set(placed.map((member) => member.id))
    const records = yield* (yield* Store).list(nodeKind).pipe(
      Effect.catchAll((error) => Effect.as(Effect.logWarning(`zones from node records: ${error.message}`), []))
    )
    for (const record of records) {
      // Decoded only when membership has not placed it: every node reads every record here each refresh.
      if (seen.has(record.id)) continue
      const node = decodeRecordValue(Node, record)
      // Known from its record but not yet heard from: not counted on until membership says so.
      if (Either.isRight(node)) add(node.right.zone, { node: record.id, health: "suspect" })
    }
    return byZone
  })

  const refreshZones = (state: NodeState, ctx: ActorContext<NodeMessage>) =>
    Effect.gen(function*() {
      for (const [zone, members] of yield* zoneMembers) {
        let ref = state.zones.get(zone)
        if (ref === undefined) {
          const spawned = yield* Effect.either(ctx.spawn(zoneActor(zone), { name: zoneActorName(zone), ...supervision }))
          if (Either.isLeft(spawned)) {
            yield* Effect.logWarning(spawned.left.message)
            continue
          }
          ref = spawned.right
          state.zones.set(zone, ref)
        }
        yield* ref.tell({ _tag: "Members", members })
      }
    })

  /**
   * A node record of a zone this node has no actor for yet refreshes the zones at once; any
   * other waits for the periodic refresh. A member known from its record alone counts as
   * suspect, so it cannot change whether a known zone serves, and a refresh reads every
   * member: one per record would cost each node of an n-node cluster n² reads as it joins.
   * Many such records in one delta make one refresh.
   */
  const onNodeChange = (state: NodeState, change: Change, ctx: ActorContext<NodeMessage>) =>
    Effect.suspend(() => {
      if (state.zonesQueued || change.record.deleted) return Effect.void
      // Every node record reaches every node: one of a known zone is settled without a decode,
      // since whether or not it decodes, it asks for nothing.
      if (state.zones.has(zoneField(change.record.value))) return Effect.void
      const node = decodeRecordValue(Node, change.record)
      if (Either.isLeft(node) || state.zones.has(node.right.zone)) return Effect.void
      state.zonesQueued = true
      return ctx.self.tell({ _tag: "RefreshZones" })
    })

  return {
    init: (ctx) =>
      Effect.gen(function*() {
        const store = yield* Store
        // Listening before the spaces are listed, so that no change falls between the two.
        // Only requests (space and volume records) and members (node records) are work: the
        // status and lifecycle records its space actors write must not come back to them.
        yield* Scope.extend(
          store.listen((change) => {
            const kind = change.record.kind
            if (kind === spaceKind || kind === nodeKind || kind === volumeKind) ctx.self.unsafeTell({ _tag: "Changed", change })
          }),
          ctx.scope
        )
        if (options.extraChildren !== undefined) yield* options.extraChildren(ctx)
        const state: NodeState = { node: store.nodeId, spaces: new Map(), zones: new Map(), zonesQueued: false }
        yield* refreshZones(state, ctx)
        const held = yield* spacesWithContainers(state.node)
        for (const record of yield* store.list(spaceKind)) {
          const space = decodeSpace(record)
          if (Either.isLeft(space)) yield* Effect.logWarning(space.left.message)
          else if (space.right.node === state.node) yield* startSpace(state, record.id, ctx)
          else if (held.has(record.id)) yield* removeStrayContainers(state.node, record.id, space.right.node)
        }
        for (const record of yield* store.list(volumeKind)) yield* removeMarkedVolume(state.node, record)
        yield* followEngineEvents(state.node, {
          containerChanged: (space) => ctx.self.tell({ _tag: "ContainerChanged", space }),
          checkAll: ctx.self.tell({ _tag: "CheckAllSpaces" })
        }).pipe(Effect.forkIn(ctx.scope))
        yield* ctx.self.tell({ _tag: "RefreshZones" }).pipe(
          Effect.delay(zonesEvery),
          Effect.forever,
          Effect.forkIn(ctx.scope)
        )
        return state
      }),
    receive: (state, msg, ctx) => {
      switch (msg._tag) {
        case "Changed": {
          const kind = msg.change.record.kind
          const work: Effect.Effect<void, never, NodeActorRequirements> = kind === spaceKind
            ? onSpaceChange(state, msg.change, ctx)
            : kind === volumeKind
            ? removeMarkedVolume(state.node, msg.change.record)
            : onNodeChange(state, msg.change, ctx)
          return Effect.as(work, state)
        }
        case "RefreshZones":
          state.zonesQueued = false
          return Effect.as(refreshZones(state, ctx), state)
        case "ContainerChanged": {
          const ref = state.spaces.get(msg.space)
          return Effect.as(ref === undefined ? Effect.void : ref.tell({ _tag: "Reconcile" }), state)
        }
        case "CheckAllSpaces":
          return Effect.as(Effect.forEach(state.spaces.values(), (ref) => ref.tell({ _tag: "Reconcile" }), { discard: true }), state)
        case "Status":
          return Effect.as(
            msg.reply.succeed({
              node: state.node,
              spaces: [...state.spaces.keys()].sort(),
              zones: [...state.zones.keys()].sort()
            }),
            state
          )
      }
    },
    // A space or zone that fails beyond its restart limit starts afresh: one broken space
    // must not take its node down, and its init re-reads everything from the store.
    supervise: () => Effect.succeed("restart")
  }
}

export const nodeStatus = (ref: ActorRef<NodeMessage>, timeout: Duration.DurationInput = "5 seconds") =>
  ref.ask<NodeStatus>((reply) => ({ _tag: "Status", reply }), timeout)

/** Spawns the node actor as a root of the actor system. */
export const startNode = <R = never>(options: NodeActorOptions<R> = {}) =>
  Effect.flatMap(ActorSystem, (system) => system.spawn(nodeActor(options), { name: nodeActorName }))
