import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Option, Queue, Schedule, Stream, TestClock } from "effect"
import { type NodeActorOptions, nodeStatus, startNode } from "../../actors/node/node.actor.ts"
import { Templates } from "../../actors/node/templates.ts"
import { TestNode } from "../../actors/node/testNode.ts"
import type { LifecycleEvent } from "../../actors/runtime/lifecycleEvent.ts"
import { ActorSystem } from "../../actors/runtime/actorSystem.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import { spaceKind, spaceLifecycleKind, spaceStatusKind } from "../../actors/space/spaceRecord.ts"
import type { ContainerDriverShape } from "../../effects/container/containerDriver.ts"
import { ContainerDriver } from "../../effects/container/containerDriver.ts"
import { ImageNotFound } from "../../effects/container/containerDriver.errors.ts"
import { MemoryEngine } from "../../effects/container/memoryDriver.ts"
import { NodeId, StoredRecord, Version } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import {
  allContainers,
  devTemplate,
  eventually,
  readSpace,
  spaceActorRef,
  spaceGone,
  spaceObserved,
  spaceWhere,
  statusOf,
  statusWhere
} from "./fixtures.ts"

/** Retries after exactly 1 s, 2 s, 4 s ...: no jitter, so the tests can name the virtual times. */
const retryOneSecond = Schedule.exponential("1 second", 2)

const node = (options: NodeActorOptions = {}) =>
  startNode({ ...options, space: { retrySchedule: retryOneSecond, ...options.space } })

/** A node with the dev template, one space "alice" created and running. */
const runningSpaceOn = (options: NodeActorOptions) => Effect.gen(function*() {
  yield* (yield* Templates).put(devTemplate)
  const ref = yield* node(options)
  yield* (yield* Spaces).create({ name: "alice", template: "dev", owner: "alice" })
  const space = yield* spaceObserved("alice", "running")
  return { ref, space }
})
const runningSpace = runningSpaceOn({})

/** An engine whose event stream is subscribed but reports nothing that happens to a container. */
const silentEvents = (driver: ContainerDriverShape): ContainerDriverShape => ({
  ...driver,
  events: (labels) => Stream.filter(driver.events(labels), (event) => event._tag === "Following")
})

/** A record write as gossip would deliver it from another node: a later version, merged. */
const mergeFromAnotherNode = (id: string, change: (value: Record<string, unknown>) => Record<string, unknown>) =>
  Effect.gen(function*() {
    const store = yield* Store
    const current = yield* store.get(spaceKind, id)
    const base = current === undefined ? {} : (current.value as Record<string, unknown>)
    const at = yield* store.clock
    const version = new Version({ wall: at.wall + 1, counter: 0, node: NodeId.make("node-2") })
    yield* store.merge(new StoredRecord({ kind: spaceKind, id, value: change(base), version, deleted: false }))
  })

const withNode = TestNode.layer()

describe("SpaceActor on the memory engine", () => {
  it.scoped("runs a created space: its container runs and the record says running", () =>
    Effect.gen(function*() {
      const { space } = yield* runningSpace
      const containers = yield* allContainers
      expect(containers).toHaveLength(1)
      expect(containers[0]).toMatchObject({
        id: space.containerId,
        name: `knot.alice.${space.creation}.1`,
        image: "knot-busybox:latest",
        state: "running",
        labels: {
          "knot.space": space.id,
          "knot.creation": space.creation,
          "knot.node": "node-1",
          "knot.template": "dev",
          "knot.generation": "1"
        }
      })
      expect(space).toMatchObject({ desired: "running", observed: "running", node: "node-1", zone: "local" })
      expect(space.reason).toBeUndefined()
      expect([...(yield* (yield* MemoryEngine).volumes)].sort()).toEqual([
        `knot.alice.${space.creation}.cache`,
        `knot.alice.${space.creation}.home`
      ])
    }).pipe(Effect.provide(withNode)))

  it.scoped("reports only in the status record, leaving the space record as the request wrote it", () =>
    Effect.gen(function*() {
      yield* (yield* Templates).put(devTemplate)
      yield* node()
      const { id } = yield* (yield* Spaces).create({ name: "alice", template: "dev", owner: "alice" })
      const store = yield* Store
      const requested = (yield* store.get(spaceKind, id))!
      const space = yield* spaceObserved("alice", "running")
      expect((yield* store.get(spaceKind, id))?.version).toEqual(requested.version)
      expect((yield* store.get(spaceStatusKind, id))?.value).toEqual({
        observed: "running",
        containerId: space.containerId,
        handled: 1
      })
    }).pipe(Effect.provide(withNode)))

  it.scoped("stops a space and starts it again in the same container", () =>
    Effect.gen(function*() {
      const { space } = yield* runningSpace
      const spaces = yield* Spaces
      yield* spaces.stop(space.id)
      yield* spaceObserved("alice", "stopped")
      expect((yield* allContainers).map((info) => [info.id, info.state])).toEqual([[space.containerId, "exited"]])
      yield* spaces.start(space.id)
      const started = yield* spaceObserved("alice", "running")
      expect(started.containerId).toBe(space.containerId)
      expect((yield* allContainers).map((info) => [info.id, info.state])).toEqual([[space.containerId, "running"]])
    }).pipe(Effect.provide(withNode)))

  it.scoped("deletes a space: container and unkept volumes gone, kept volume stays, record and actor gone", () =>
    Effect.gen(function*() {
      const { space } = yield* runningSpace
      yield* (yield* Spaces).delete(space.id)
      yield* spaceGone("alice")
      expect(yield* allContainers).toEqual([])
      expect([...(yield* (yield* MemoryEngine).volumes)]).toEqual([`knot.alice.${space.creation}.home`])
      expect((yield* (yield* Store).get(spaceLifecycleKind, space.id))?.deleted).toBe(true)
      expect((yield* (yield* Store).get(spaceStatusKind, space.id))?.deleted).toBe(true)
      yield* eventually(Effect.map(spaceActorRef(space.id), (ref) => (Option.isNone(ref) ? true : undefined)), "actor stopped")
    }).pipe(Effect.provide(withNode)))

  it.scoped("lets a deleted space's name be used again", () =>
    Effect.gen(function*() {
      const { space } = yield* runningSpace
      const spaces = yield* Spaces
      yield* spaces.delete(space.id)
      yield* spaceGone("alice")
      yield* spaces.create({ name: "alice", template: "dev", owner: "alice" })
      const again = yield* spaceObserved("alice", "running")
      expect((yield* allContainers).map((info) => [info.id, info.name])).toEqual([[again.containerId, `knot.alice.${again.creation}.1`]])
    }).pipe(Effect.provide(withNode)))

  it.scoped("ends stopped, never started, when a Stop arrives while the container is being created", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const holdCreate = (driver: ContainerDriverShape): ContainerDriverShape => ({
        ...driver,
        create: (spec) => Effect.zipRight(Deferred.await(gate), driver.create(spec))
      })
      const run = Effect.gen(function*() {
        yield* (yield* Templates).put(devTemplate)
        yield* node()
        const spaces = yield* Spaces
        const { id } = yield* spaces.create({ name: "alice", template: "dev", owner: "alice" })
        yield* spaceObserved("alice", "creating")
        yield* spaces.stop(id)
        yield* statusWhere("alice", "wanting stopped", (status) => status.lifecycle.context.desired === "stopped")
        yield* Deferred.succeed(gate, undefined)
        const stopped = yield* spaceObserved("alice", "stopped")
        expect((yield* allContainers).map((info) => [info.id, info.state])).toEqual([[stopped.containerId, "created"]])
      })
      yield* run.pipe(Effect.provide(TestNode.layer({ wrapDriver: holdCreate })))
    }))

  it.scoped("sees a container killed behind knot's back at once, from the engine's events, and recreates it", () =>
    Effect.gen(function*() {
      const { space } = yield* runningSpace
      yield* (yield* MemoryEngine).kill(space.containerId!)
      const failed = yield* spaceObserved("alice", "failed")
      expect(failed.reason).toBe("container exited with code 137")
      yield* TestClock.adjust("1 second")
      const again = yield* spaceObserved("alice", "running")
      expect(again.containerId).not.toBe(space.containerId)
      expect((yield* allContainers).map((info) => [info.id, info.name, info.state])).toEqual([
        [again.containerId, `knot.alice.${again.creation}.2`, "running"]
      ])
    }).pipe(Effect.provide(withNode)))

  it.scoped("sees a container removed behind knot's back at once, and recreates it", () =>
    Effect.gen(function*() {
      const { space } = yield* runningSpace
      yield* (yield* ContainerDriver).remove(space.containerId!, { volumes: [] })
      expect((yield* spaceObserved("alice", "failed")).reason).toBe("container disappeared from the engine")
      yield* TestClock.adjust("1 second")
      const again = yield* spaceObserved("alice", "running")
      expect((yield* allContainers).map((info) => [info.id, info.name])).toEqual([[again.containerId, `knot.alice.${again.creation}.2`]])
    }).pipe(Effect.provide(withNode)))

  it.scoped("without events from the engine, sees a killed container at the next periodic check", () =>
    Effect.gen(function*() {
      const { space } = yield* runningSpaceOn({ space: { reconcileEvery: "10 seconds" } })
      yield* (yield* MemoryEngine).kill(space.containerId!)
      yield* TestClock.adjust("9999 millis")
      expect((yield* readSpace("alice"))?.observed).toBe("running")
      yield* TestClock.adjust("1 milli")
      expect((yield* spaceObserved("alice", "failed")).reason).toBe("container exited with code 137")
    }).pipe(Effect.provide(TestNode.layer({ wrapDriver: silentEvents }))))

  it.scoped("checks every space once when the engine's event stream is lost and followed again", () =>
    Effect.gen(function*() {
      const { space } = yield* runningSpace
      const engine = yield* MemoryEngine
      yield* engine.kill(space.containerId!)
      yield* TestClock.adjust("1 minute")
      expect((yield* readSpace("alice"))?.observed).toBe("running")
      yield* engine.dropEvents
      yield* TestClock.adjust("1 second")
      expect((yield* spaceObserved("alice", "failed")).reason).toBe("container exited with code 137")
    }).pipe(Effect.provide(TestNode.layer({ wrapDriver: silentEvents }))))

  it.scoped("shows an unreachable engine as the reason, and recovers once it answers again", () =>
    Effect.gen(function*() {
      const { space } = yield* runningSpaceOn({ space: { reconcileEvery: "10 seconds" } })
      const engine = yield* MemoryEngine
      yield* engine.makeUnreachable
      yield* TestClock.adjust("10 seconds")
      const troubled = yield* spaceWhere("alice", "with a reason", (seen) => seen.reason !== undefined)
      expect(troubled.observed).toBe("running")
      expect(troubled.reason).toContain("no container engine answers at memory://engine")
      yield* TestClock.adjust("1 second")
      expect((yield* statusOf("alice")).engineTrouble).toContain("no container engine answers")
      yield* engine.makeReachable
      // The event stream is followed again within a second, and that checks every space.
      yield* TestClock.adjust("1 second")
      const recovered = yield* spaceWhere("alice", "without a reason", (seen) => seen.reason === undefined)
      expect(recovered).toMatchObject({ observed: "running", containerId: space.containerId })
      expect(yield* allContainers).toHaveLength(1)
    }).pipe(Effect.provide(withNode)))

  it.scoped("gives up after its retry schedule ends and tries again when started again", () =>
    Effect.gen(function*() {
      yield* (yield* Templates).put(devTemplate)
      yield* (yield* MemoryEngine).failNextCreates(3)
      yield* node({ space: { retrySchedule: Schedule.addDelay(Schedule.recurs(2), () => "1 second") } })
      const spaces = yield* Spaces
      const { id } = yield* spaces.create({ name: "alice", template: "dev", owner: "alice" })
      yield* spaceObserved("alice", "failed")
      yield* TestClock.adjust("2 seconds")
      const given = yield* spaceWhere("alice", "given up", (space) => space.reason?.includes("stopped retrying") === true)
      expect(given.reason).toBe(
        `container create failed for knot.alice.${given.creation}.3: injected failure of the memory engine; ` +
          "stopped retrying after 3 failed attempts; start the space again to retry"
      )
      yield* TestClock.adjust("1 minute")
      expect((yield* readSpace("alice"))?.observed).toBe("failed")
      yield* spaces.start(id)
      const running = yield* spaceObserved("alice", "running")
      expect(running.reason).toBeUndefined()
    }).pipe(Effect.provide(withNode)))

  it.scoped("fails a space whose image the engine lacks, saying which image", () =>
    Effect.gen(function*() {
      yield* (yield* Templates).put(devTemplate)
      yield* node()
      yield* (yield* Spaces).create({ name: "alice", template: "dev", owner: "alice" })
      const failed = yield* spaceObserved("alice", "failed")
      expect(failed.reason).toBe("image knot-busybox:latest is not on this node; load or build it first (no registry is contacted)")
    }).pipe(Effect.provide(TestNode.layer({ images: ["other:latest"] }))))

  it.scoped("gives a start made during a failing retry an attempt of its own, never that retry's failure", () =>
    Effect.gen(function*() {
      // The image is loaded while a retry's create, begun without it, is still on its way back.
      let imageLoaded = false
      let holdNextFailure = false
      const gate = yield* Deferred.make<void>()
      const loadableImage = (driver: ContainerDriverShape): ContainerDriverShape => ({
        ...driver,
        create: (spec) =>
          imageLoaded
            ? driver.create(spec)
            : Effect.zipRight(
              holdNextFailure ? Deferred.await(gate) : Effect.void,
              Effect.fail(new ImageNotFound({ image: spec.image }))
            )
      })
      const run = Effect.gen(function*() {
        const changes = yield* (yield* Store).subscribe
        yield* (yield* Templates).put(devTemplate)
        yield* node()
        const spaces = yield* Spaces
        const { id } = yield* spaces.create({ name: "alice", template: "dev", owner: "alice" })
        yield* spaceObserved("alice", "failed")
        holdNextFailure = true
        yield* TestClock.adjust("1 second")
        yield* statusWhere("alice", "retrying", (status) => status.busy)
        yield* spaces.start(id)
        yield* spaceWhere("alice", "taking the start", (space) => space.handled === 2)
        imageLoaded = true
        yield* Deferred.succeed(gate, undefined)
        const running = yield* spaceObserved("alice", "running")
        expect(running.handled).toBe(2)
        const reported = Chunk.toReadonlyArray(yield* Queue.takeAll(changes))
          .filter((change) => change.record.kind === spaceStatusKind)
          .map((change) => change.record.value as { readonly observed: string; readonly handled?: number })
        expect(reported.filter((status) => status.observed === "failed" && (status.handled ?? 0) >= 2)).toEqual([])
      })
      yield* run.pipe(Effect.provide(TestNode.layer({ wrapDriver: loadableImage })))
    }))

  it.scoped("adopts the running container after a node restart, creating no duplicate", () =>
    Effect.gen(function*() {
      const { ref, space } = yield* runningSpace
      yield* ref.stop
      expect((yield* allContainers).map((info) => info.state)).toEqual(["running"])
      yield* node()
      yield* statusWhere("alice", "adopted", (status) => status.adopted)
      yield* TestClock.adjust("10 seconds")
      const after = yield* spaceObserved("alice", "running")
      expect(after.containerId).toBe(space.containerId)
      expect((yield* allContainers).map((info) => [info.id, info.state])).toEqual([[space.containerId, "running"]])
      expect((yield* statusOf("alice")).lifecycle).toMatchObject({ state: "running", context: { generation: 1 } })
    }).pipe(Effect.provide(withNode)))

  it.scoped("takes over the container a create left when the node stopped mid-step, creating no second one", () =>
    Effect.gen(function*() {
      const never = yield* Deferred.make<void>()
      let holds = 1
      // The engine creates the container, but the node stops before the create reports back.
      const stallAfterCreate = (driver: ContainerDriverShape): ContainerDriverShape => ({
        ...driver,
        create: (spec) =>
          Effect.tap(driver.create(spec), () => (holds-- > 0 ? Deferred.await(never) : Effect.void))
      })
      const run = Effect.gen(function*() {
        yield* (yield* Templates).put(devTemplate)
        const first = yield* node()
        yield* (yield* Spaces).create({ name: "alice", template: "dev", owner: "alice" })
        yield* eventually(Effect.map(allContainers, (all) => (all.length === 1 ? all : undefined)), "the container")
        yield* first.stop
        expect((yield* readSpace("alice"))?.observed).toBe("creating")
        yield* node()
        const running = yield* spaceObserved("alice", "running")
        const containers = yield* allContainers
        expect(containers.map((info) => [info.id, info.name, info.state])).toEqual([
          [running.containerId, `knot.alice.${running.creation}.1`, "running"]
        ])
      })
      yield* run.pipe(Effect.provide(TestNode.layer({ wrapDriver: stallAfterCreate })))
    }))

  it.scoped("removes a container of an older generation that it finds after a restart", () =>
    Effect.gen(function*() {
      const { ref, space } = yield* runningSpace
      yield* ref.stop
      const stray = yield* (yield* ContainerDriver).create({
        name: "knot-alice-0",
        image: "knot-busybox:latest",
        env: {},
        labels: { "knot.space": space.id, "knot.node": "node-1", "knot.generation": "0" },
        volumes: []
      })
      yield* node()
      yield* statusWhere("alice", "adopted", (status) => status.adopted)
      const ids = (yield* allContainers).map((info) => info.id)
      expect(ids).toEqual([space.containerId])
      expect(ids).not.toContain(stray.id)
    }).pipe(Effect.provide(withNode)))

  it.scoped("a space from before creation ids keeps its engine names and its container across a restart", () =>
    Effect.gen(function*() {
      yield* (yield* Templates).put(devTemplate)
      const store = yield* Store
      yield* store.put(spaceKind, "alice", {
        name: "alice",
        owner: "alice",
        template: "dev",
        node: "node-1",
        zone: "local",
        desired: "running",
        generation: 1
      })
      const first = yield* node()
      const running = yield* spaceObserved("alice", "running")
      expect(running.creation).toBeUndefined()
      expect((yield* allContainers).map((info) => info.name)).toEqual(["knot-alice-1"])
      expect([...(yield* (yield* MemoryEngine).volumes)].sort()).toEqual(["knot-alice-cache", "knot-alice-home"])
      yield* first.stop
      yield* node()
      yield* statusWhere("alice", "adopted", (status) => status.adopted)
      expect((yield* allContainers).map((info) => [info.id, info.state])).toEqual([[running.containerId, "running"]])
    }).pipe(Effect.provide(withNode)))

  it.scoped("carries out a request made while its node was down once the node is back", () =>
    Effect.gen(function*() {
      const { ref, space } = yield* runningSpace
      yield* ref.stop
      const requested = yield* (yield* Spaces).delete(space.id)
      expect(requested).toMatchObject({ desired: "deleted", observed: "running" })
      yield* node()
      yield* spaceGone("alice")
      expect(yield* allContainers).toEqual([])
    }).pipe(Effect.provide(withNode)))

  it.scoped("acts on a request that another node wrote and gossip merged", () =>
    Effect.gen(function*() {
      const { space } = yield* runningSpace
      yield* mergeFromAnotherNode(space.id, (value) => ({
        ...value,
        desired: "stopped",
        generation: (value["generation"] as number) + 1
      }))
      yield* spaceObserved("alice", "stopped")
      expect((yield* allContainers).map((info) => info.state)).toEqual(["exited"])
    }).pipe(Effect.provide(withNode)))

  it.scoped("never starts a space owned by another node", () =>
    Effect.gen(function*() {
      yield* (yield* Templates).put(devTemplate)
      const ref = yield* node()
      yield* mergeFromAnotherNode("bob", () => ({
        name: "bob",
        owner: "bob",
        template: "dev",
        node: "node-2",
        zone: "local",
        desired: "running",
        generation: 1
      }))
      yield* TestClock.adjust("1 minute")
      expect((yield* nodeStatus(ref)).spaces).toEqual([])
      expect(yield* allContainers).toEqual([])
      expect((yield* readSpace("bob"))?.observed).toBe("pending")
    }).pipe(Effect.provide(withNode)))

  it.scoped("restarts a crashed space actor, which adopts its container again", () =>
    Effect.gen(function*() {
      let crashes = 0
      const flaky = (driver: ContainerDriverShape): ContainerDriverShape => ({
        ...driver,
        inspect: (id) =>
          Effect.suspend(() => {
            if (crashes === 0) return driver.inspect(id)
            crashes--
            return Effect.dieMessage("a bug in the driver")
          })
      })
      const run = Effect.gen(function*() {
        const events = yield* (yield* ActorSystem).subscribe
        const { space } = yield* runningSpace
        crashes = 1
        yield* TestClock.adjust("10 seconds")
        // The supervision policy restarts it within about 100 ms.
        yield* TestClock.adjust("1 second")
        const restarted = yield* eventually(
          Effect.map(Queue.poll(events), (event) =>
            Option.getOrUndefined(
              Option.filter(event, (e: LifecycleEvent) => e._tag === "Restarted" && e.path === `node/space:${space.id}`)
            )),
          "a restart of the space actor"
        )
        expect(restarted).toMatchObject({ reason: "a bug in the driver" })
        yield* statusWhere("alice", "adopted", (status) => status.adopted)
        expect((yield* allContainers).map((info) => [info.id, info.state])).toEqual([[space.containerId, "running"]])
        expect((yield* readSpace("alice"))?.observed).toBe("running")
      })
      yield* run.pipe(Effect.provide(TestNode.layer({ wrapDriver: flaky })))
    }))
})
