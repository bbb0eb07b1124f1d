import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Queue, Ref, Stream, TestClock } from "effect"
import type { Member } from "../../actors/node/clusterView.ts"
import { ClusterView } from "../../actors/node/clusterView.ts"
import { nodeStatus, startNode } from "../../actors/node/node.actor.ts"
import { Templates } from "../../actors/node/templates.ts"
import { TestNode } from "../../actors/node/testNode.ts"
import type { Behaviour } from "../../actors/runtime/behaviour.ts"
import { ActorSystem } from "../../actors/runtime/actorSystem.ts"
import type { ZoneStatus } from "../../actors/zone/zone.actor.ts"
import { zoneActorName } from "../../actors/zone/zone.actor.ts"
import type { ZoneMessage } from "../../actors/zone/zone.actor.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import { spaceKind } from "../../actors/space/spaceRecord.ts"
import { Store } from "../../storage/store.ts"
import { allContainers, devTemplate, eventually, readSpace, spaceObserved } from "../spaces/fixtures.ts"
import { member as memberOf } from "../support/member.ts"

const member = (id: string, zone: string, state: Member["state"]): Member => memberOf(id, zone, { state })

/** A cluster view the test can change, as membership gossip would. */
const changingCluster = (members: Ref.Ref<ReadonlyArray<Member>>) =>
  Layer.succeed(ClusterView, {
    self: Effect.map(Ref.get(members), (all) => all[0]!),
    members: Ref.get(members),
    memberZones: Ref.get(members),
    changes: Stream.never
  })

const zoneStatus = (zone: string) =>
  eventually(
    Effect.flatMap(ActorSystem, (system) =>
      Effect.flatMap(system.lookup<ZoneMessage>(`node/${zoneActorName(zone)}`), (ref) =>
        ref._tag === "None"
          ? Effect.succeed(undefined)
          : ref.value.ask<ZoneStatus>((reply) => ({ _tag: "Status", reply }), "1 second"))),
    `zone ${zone}`
  )

const idle: Behaviour<never, null> = { init: () => Effect.succeed(null), receive: (state) => Effect.succeed(state) }

const spaceRecord = (name: string, node: string) => ({
  name,
  owner: "alice",
  template: "dev",
  node,
  zone: "local",
  desired: "stopped",
  generation: 1
})

describe("NodeActor", () => {
  it.effect("runs one zone actor per zone, serving while one of its members is alive", () =>
    Effect.gen(function*() {
      const members = yield* Ref.make<ReadonlyArray<Member>>([
        member("n1", "us-east", "alive"),
        member("n2", "us-east", "dead"),
        member("n3", "eu-west", "suspect")
      ])
      const run = Effect.gen(function*() {
        const ref = yield* startNode()
        expect(yield* zoneStatus("us-east")).toMatchObject({ state: "serving", members: { n1: "alive", n2: "dead" } })
        expect(yield* zoneStatus("eu-west")).toMatchObject({ state: "degraded", members: { n3: "suspect" } })
        expect((yield* nodeStatus(ref)).zones).toEqual(["eu-west", "us-east"])
      })
      yield* Effect.scoped(run.pipe(Effect.provide(TestNode.layer({ node: "n1", clusterView: changingCluster(members) }))))
    }))

  it.effect("follows the cluster view as it changes, at each zone refresh", () =>
    Effect.gen(function*() {
      const members = yield* Ref.make<ReadonlyArray<Member>>([member("n1", "us-east", "alive")])
      const run = Effect.gen(function*() {
        yield* startNode({ zonesEvery: "5 seconds" })
        yield* zoneStatus("us-east")
        yield* Ref.set(members, [member("n1", "us-east", "alive"), member("n3", "eu-west", "alive")])
        yield* TestClock.adjust("5 seconds")
        expect(yield* zoneStatus("eu-west")).toMatchObject({ state: "serving", members: { n3: "alive" } })
      })
      yield* Effect.scoped(run.pipe(Effect.provide(TestNode.layer({ node: "n1", clusterView: changingCluster(members) }))))
    }))

  it.scoped("learns a zone from a node record, counting its node only once membership hears of it", () =>
    Effect.gen(function*() {
      yield* startNode()
      yield* (yield* Store).put("node", "n9", { zone: "ap-south", mode: "cluster", startedAt: 0 })
      expect(yield* zoneStatus("ap-south")).toEqual({ name: "ap-south", state: "degraded", members: { n9: "suspect" } })
    }).pipe(Effect.provide(TestNode.layer())))

  it.scoped("starts its extra children first, then zones, then spaces", () =>
    Effect.gen(function*() {
      yield* (yield* Store).put(spaceKind, "alice", spaceRecord("alice", "node-1"))
      yield* startNode({ extraChildren: (ctx) => ctx.spawn(idle, { name: "gossip" }) })
      const system = yield* ActorSystem
      const paths = yield* eventually(
        Effect.map(system.paths, (paths) => (paths.length === 4 ? paths : undefined)),
        "four actors"
      )
      expect(paths).toEqual(["node", "node/gossip", "node/zone:local", "node/space:alice"])
    }).pipe(Effect.provide(TestNode.layer())))

  it.scoped("runs an actor for each space it owns and none for another node's", () =>
    Effect.gen(function*() {
      const store = yield* Store
      yield* store.put(spaceKind, "alice", spaceRecord("alice", "node-1"))
      yield* store.put(spaceKind, "bob", spaceRecord("bob", "node-2"))
      const ref = yield* startNode()
      const status = yield* eventually(
        Effect.map(nodeStatus(ref), (status) => (status.spaces.length > 0 ? status : undefined)),
        "a space actor"
      )
      expect(status.spaces).toEqual(["alice"])
    }).pipe(Effect.provide(TestNode.layer())))

  it.scoped("removes its container of a space whose record now names another node", () =>
    Effect.gen(function*() {
      yield* (yield* Templates).put(devTemplate)
      yield* startNode()
      const { id, creation } = yield* (yield* Spaces).create({ name: "alice", template: "dev", owner: "alice" })
      yield* spaceObserved("alice", "running")
      // A later request moved the space to another node (as a migration would).
      yield* (yield* Store).put(spaceKind, id, { ...spaceRecord("alice", "node-2"), creation, desired: "running" })
      yield* eventually(Effect.map(allContainers, (found) => (found.length === 0 ? true : undefined)), "no container")
    }).pipe(Effect.provide(TestNode.layer())))

  it.scoped("at start, removes a container left for a space whose record moved to another node meanwhile", () =>
    Effect.gen(function*() {
      yield* (yield* Templates).put(devTemplate)
      const first = yield* startNode()
      const { id, creation } = yield* (yield* Spaces).create({ name: "alice", template: "dev", owner: "alice" })
      yield* spaceObserved("alice", "running")
      yield* first.stop
      yield* (yield* Store).put(spaceKind, id, { ...spaceRecord("alice", "node-2"), creation, desired: "running" })
      yield* startNode()
      yield* eventually(Effect.map(allContainers, (found) => (found.length === 0 ? true : undefined)), "no container")
    }).pipe(Effect.provide(TestNode.layer())))

  it.scoped("stops its spaces before itself and leaves their containers running", () =>
    Effect.gen(function*() {
      const system = yield* ActorSystem
      yield* (yield* Templates).put(devTemplate)
      const ref = yield* startNode({ extraChildren: (ctx) => ctx.spawn(idle, { name: "gossip" }) })
      const { id } = yield* (yield* Spaces).create({ name: "alice", template: "dev", owner: "alice" })
      yield* spaceObserved("alice", "running")
      const events = yield* system.subscribe
      yield* ref.stop
      const stopped = Chunk.toReadonlyArray(yield* Queue.takeAll(events))
        .filter((event) => event._tag === "Stopped")
        .map((event) => event.path)
      expect(stopped).toEqual([`node/space:${id}`, "node/zone:local", "node/gossip", "node"])
      expect((yield* allContainers).map((info) => info.state)).toEqual(["running"])
      expect(yield* readSpace("alice")).toMatchObject({ desired: "running", observed: "running" })
    }).pipe(Effect.provide(TestNode.layer())))
})
