import { afterAll, describe, expect, it } from "@effect/vitest"
import Docker from "dockerode"
import { Duration, Effect, Either, Layer, Schedule } from "effect"
import { StandaloneClusterView } from "../../actors/node/clusterView.standalone.ts"
import { startNode } from "../../actors/node/node.actor.ts"
import { TemplatesLive } from "../../actors/node/templates.live.ts"
import { Templates } from "../../actors/node/templates.ts"
import { ActorSystemLive } from "../../actors/runtime/actorSystem.ts"
import { SpacesLive } from "../../actors/space/spaces.live.ts"
import type { SpaceView } from "../../actors/space/spaces.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import { DockerDriver } from "../../effects/docker/dockerDriver.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { engineAvailable, engineSocket, noEngineNotice, testImage } from "../support/dockerEngine.ts"
import { readKeptVolume } from "../../actors/space/keptVolumes.ts"
import { Store } from "../../storage/store.ts"
import { startEngineProxy } from "../support/engineProxy.ts"
import { readSpace } from "./fixtures.ts"

const available = await engineAvailable()
if (!available) console.log(noEngineNotice("space integration tests"))

const docker = new Docker({ socketPath: engineSocket })

/** `knot.test=1` marks every test object; the run label lets this file clean up only its own. */
const runLabel = { "knot.test": "1", "knot.test.run": `spaces-${process.pid}` }
const node = `it-${process.pid}`
let counter = 0
const uniqueSpace = (what: string) => `${what}-${process.pid}-${++counter}`

const template = {
  name: "busybox",
  image: testImage,
  command: ["sleep", "3600"],
  env: { KNOT_TEST: "1" },
  volumes: [
    { name: "home", mountPath: "/home/dev", keep: true },
    { name: "cache", mountPath: "/cache", keep: false }
  ],
  zones: [],
  memoryMb: 64
}

/** One node on the real engine (through `socketPath`), checking every 300 ms and retrying after 200 ms. */
const onEngine = (zone = "us-east", socketPath = engineSocket) =>
  ActorSystemLive.pipe(
    Layer.provideMerge(DockerDriver.layer({ socketPath })),
    Layer.provideMerge(
      SpacesLive.pipe(
        Layer.provideMerge(TemplatesLive.layer()),
        Layer.provideMerge(StandaloneClusterView.layer({ zone })),
        Layer.provideMerge(MemoryStore.layer({ nodeId: NodeId.make(node), maxDriftMs: 60_000 }))
      )
    )
  )

const startTestNode = startNode({
  space: {
    reconcileEvery: "300 millis",
    retrySchedule: Schedule.spaced("200 millis"),
    stopTimeoutSeconds: 2,
    extraLabels: runLabel
  }
})

/** Polls the record (by id or name) in real time until `predicate` holds; gives up after 20 s with what it saw. */
const awaitSpace = (id: string, what: string, predicate: (space: SpaceView | undefined) => boolean) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 20_000
    let seen: SpaceView | undefined
    while (Date.now() < deadline) {
      seen = yield* readSpace(id)
      if (predicate(seen)) return seen
      yield* Effect.sleep(Duration.millis(50))
    }
    return yield* Effect.dieMessage(`space ${id} never ${what}; last seen ${JSON.stringify(seen)}`)
  })

const observed = (id: string, state: SpaceView["observed"]) =>
  Effect.map(awaitSpace(id, `observed ${state}`, (space) => space?.observed === state), (space) => space!)

const engineView = (id: string) =>
  Effect.promise(() =>
    docker.getContainer(id).inspect().then(
      (info) => info,
      (error: { statusCode?: number }) => {
        if (error.statusCode === 404) return undefined
        throw error
      }
    )
  )

const volumeExists = (name: string) =>
  Effect.promise(() =>
    docker.getVolume(name).inspect().then(
      () => true,
      (error: { statusCode?: number }) => {
        if (error.statusCode === 404) return false
        throw error
      }
    )
  )

/** Runs `sh -c script` in the container through the engine's exec API; its output. */
const shell = (containerId: string, script: string) =>
  Effect.promise(async () => {
    const exec = await docker.getContainer(containerId).exec({
      Cmd: ["sh", "-c", script],
      AttachStdout: true,
      AttachStderr: true,
      Tty: true
    })
    const stream = await exec.start({ hijack: true, stdin: false, Tty: true })
    const chunks: Array<Buffer> = []
    stream.on("data", (chunk: Buffer) => chunks.push(chunk))
    await new Promise((resolve) => stream.on("end", resolve))
    return Buffer.concat(chunks).toString("utf8").trim()
  })

const mountedVolumes = (containerId: string) =>
  Effect.map(engineView(containerId), (seen) => (seen?.Mounts ?? []).map((mount) => mount.Name ?? "").sort())

const containersOf = (space: string) =>
  Effect.promise(() => docker.listContainers({ all: true, filters: { label: [`knot.space=${space}`] } }))

/** Creates the template and a space, and waits until the engine runs it. */
/** A node whose periodic checks are an hour apart: only the engine's events can tell it anything sooner. */
const startEventDrivenNode = startNode({
  space: { reconcileEvery: "1 hour", retrySchedule: Schedule.spaced("200 millis"), stopTimeoutSeconds: 2, extraLabels: runLabel }
})

const runningSpace = (what: string, start = startTestNode) =>
  Effect.gen(function*() {
    yield* (yield* Templates).put(template)
    const ref = yield* start
    const name = uniqueSpace(what)
    const { id } = yield* (yield* Spaces).create({ name, template: template.name, owner: "tester" })
    const space = yield* observed(id, "running")
    return { id, name, ref, space, containerId: space.containerId! }
  })

/** Creates `owner`'s space and waits until the engine runs it (the template and node already there). */
const ownSpace = (owner: string, name: string, reuseVolumes?: Record<string, string>) =>
  Effect.gen(function*() {
    const { id } = yield* (yield* Spaces).create({
      name,
      template: template.name,
      owner,
      ...(reuseVolumes === undefined ? {} : { reuseVolumes })
    })
    return yield* observed(id, "running")
  })

describe.runIf(available)("spaces on a real engine", () => {
  afterAll(async () => {
    const filters = { label: [`knot.test.run=${runLabel["knot.test.run"]}`] }
    const containers = await docker.listContainers({ all: true, filters })
    await Promise.all(containers.map((info) => docker.getContainer(info.Id).remove({ force: true })))
    const { Volumes } = await docker.listVolumes({ filters })
    await Promise.all((Volumes ?? []).map((volume) => docker.getVolume(volume.Name).remove()))
  })

  it.live("creates a space whose container the engine runs, with knot's labels, init and limits", () =>
    Effect.gen(function*() {
      const { containerId, id, name } = yield* runningSpace("create")
      const seen = (yield* engineView(containerId))!
      expect(seen.State.Running).toBe(true)
      const creation = seen.Config.Labels["knot.creation"]!
      expect(creation).toBe(id)
      expect(seen.Name).toBe(`/knot.${name}.${creation}.1`)
      expect(seen.Config.Labels).toMatchObject({
        ...runLabel,
        "knot.space": id,
        "knot.owner": "tester",
        "knot.node": node,
        "knot.template": "busybox",
        "knot.generation": "1"
      })
      expect(seen.HostConfig.Init).toBe(true)
      expect(seen.HostConfig.Memory).toBe(64 * 1024 * 1024)
      expect(seen.Mounts.map((mount) => mount.Name).sort()).toEqual([`knot.${name}.${creation}.cache`, `knot.${name}.${creation}.home`])
    }).pipe(Effect.provide(onEngine())))

  it.live("stops a space and starts the same container again", () =>
    Effect.gen(function*() {
      const { containerId, id } = yield* runningSpace("stop")
      const spaces = yield* Spaces
      yield* spaces.stop(id)
      yield* observed(id, "stopped")
      expect((yield* engineView(containerId))!.State.Running).toBe(false)
      yield* spaces.start(id)
      const again = yield* observed(id, "running")
      expect(again.containerId).toBe(containerId)
      expect((yield* engineView(containerId))!.State.Running).toBe(true)
    }).pipe(Effect.provide(onEngine())))

  it.live("deletes a space: the container and the unkept volume are gone, the kept one stays", () =>
    Effect.gen(function*() {
      const { containerId, id, name, space } = yield* runningSpace("delete")
      yield* (yield* Spaces).delete(id)
      yield* awaitSpace(id, "deleted", (space) => space === undefined)
      expect(yield* engineView(containerId)).toBeUndefined()
      expect(yield* volumeExists(`knot.${name}.${space.creation}.cache`)).toBe(false)
      expect(yield* volumeExists(`knot.${name}.${space.creation}.home`)).toBe(true)
      expect(yield* readKeptVolume(yield* Store, `knot.${name}.${space.creation}.home`)).toMatchObject({
        owner: "tester",
        node,
        volume: "home",
        spaceId: id,
        desired: "kept"
      })
    }).pipe(Effect.provide(onEngine())))

  it.live("Alice and Bob each have a space dev with a volume home: two volumes, neither sees the other's file", () =>
    Effect.gen(function*() {
      yield* (yield* Templates).put(template)
      yield* startTestNode
      const name = uniqueSpace("dev")
      const alices = yield* ownSpace("alice", name)
      const bobs = yield* ownSpace("bob", name)
      yield* shell(alices.containerId!, "echo alice > /home/dev/id_rsa")
      expect(yield* shell(bobs.containerId!, "cat /home/dev/id_rsa 2>&1 || echo absent")).toMatch(/absent$/)
      const [hers, his] = [yield* mountedVolumes(alices.containerId!), yield* mountedVolumes(bobs.containerId!)]
      expect(hers.filter((volume) => his.includes(volume))).toEqual([])
    }).pipe(Effect.provide(onEngine())))

  it.live("a kept volume: Bob's new space of that name starts empty, Alice mounts hers again, Bob may not", () =>
    Effect.gen(function*() {
      yield* (yield* Templates).put(template)
      yield* startTestNode
      const spaces = yield* Spaces
      const name = uniqueSpace("adev")
      const first = yield* ownSpace("alice", name)
      yield* shell(first.containerId!, "echo secret > /home/dev/id_rsa")
      yield* spaces.delete(first.id)
      yield* awaitSpace(first.id, "deleted", (space) => space === undefined)
      const kept = `knot.${name}.${first.creation}.home`

      const bobs = yield* ownSpace("bob", name)
      expect(yield* shell(bobs.containerId!, "cat /home/dev/id_rsa 2>&1 || echo absent")).toMatch(/absent$/)
      expect(yield* mountedVolumes(bobs.containerId!)).not.toContain(kept)

      const stolen = yield* Effect.flip(spaces.create({ name: "theft", template: template.name, owner: "bob", reuseVolumes: { home: kept } }))
      expect(stolen.message).toBe(`kept volume ${kept} belongs to another user; only its owner can reuse it`)

      const again = yield* ownSpace("alice", name, { home: kept })
      expect(yield* shell(again.containerId!, "cat /home/dev/id_rsa")).toBe("secret")
      expect(yield* mountedVolumes(again.containerId!)).toContain(kept)
    }).pipe(Effect.provide(onEngine())))

  it.live("the spaces a with volume dev-home and a-dev with volume home mount two volumes", () =>
    Effect.gen(function*() {
      const templates = yield* Templates
      yield* templates.put({ ...template, name: "dev-home", volumes: [{ name: "dev-home", mountPath: "/data", keep: false }] })
      yield* templates.put({ ...template, name: "home", volumes: [{ name: "home", mountPath: "/data", keep: false }] })
      yield* startTestNode
      const spaces = yield* Spaces
      const a = uniqueSpace("a")
      yield* spaces.create({ name: a, template: "dev-home", owner: "alice" })
      yield* spaces.create({ name: `${a}-dev`, template: "home", owner: "bob" })
      const first = yield* observed(a, "running")
      const second = yield* observed(`${a}-dev`, "running")
      expect(first.owner).toBe("alice")
      yield* shell(first.containerId!, "echo alice > /data/mine")
      expect(yield* shell(second.containerId!, "cat /data/mine 2>&1 || echo absent")).toMatch(/absent$/)
      const [one, two] = [yield* mountedVolumes(first.containerId!), yield* mountedVolumes(second.containerId!)]
      expect(one).toHaveLength(1)
      expect(two).toHaveLength(1)
      expect(one[0]).not.toBe(two[0])
    }).pipe(Effect.provide(onEngine())))

  it.live("rebuilds a container killed behind knot's back", () =>
    Effect.gen(function*() {
      const { containerId, id } = yield* runningSpace("kill")
      yield* Effect.promise(() => docker.getContainer(containerId).kill())
      const rebuilt = yield* awaitSpace(
        id,
        "running in a new container",
        (space) => space?.observed === "running" && space.containerId !== containerId
      )
      expect(yield* engineView(containerId)).toBeUndefined()
      const seen = (yield* engineView(rebuilt!.containerId!))!
      expect(seen.State.Running).toBe(true)
      expect(seen.Config.Labels["knot.generation"]).toBe("2")
      expect((yield* containersOf(id)).map((info) => info.Id)).toEqual([rebuilt!.containerId])
    }).pipe(Effect.provide(onEngine())))

  it.live("sees a container killed outside knot at once, from the engine's events, with checks an hour apart", () =>
    Effect.gen(function*() {
      const { containerId, id } = yield* runningSpace("event", startEventDrivenNode)
      const killedAt = Date.now()
      yield* Effect.promise(() => docker.getContainer(containerId).kill())
      // awaitSpace gives up after 20 s and the next periodic check is an hour away: only an event can show it.
      yield* awaitSpace(id, "to show the kill", (space) => space?.observed !== "running" || space.containerId !== containerId)
      console.log(`a kill outside knot showed on the space after ${Date.now() - killedAt} ms`)
      const rebuilt = yield* awaitSpace(
        id,
        "running in a new container",
        (space) => space?.observed === "running" && space.containerId !== containerId
      )
      expect((yield* containersOf(id)).map((info) => info.Id)).toEqual([rebuilt!.containerId])
    }).pipe(Effect.provide(onEngine())))

  it.live("checks every space when its lost event stream is back, so a kill in the gap shows, with checks an hour apart", () =>
    Effect.gen(function*() {
      const proxy = yield* Effect.acquireRelease(Effect.promise(() => startEngineProxy()), (proxy) => Effect.promise(proxy.close))
      yield* Effect.gen(function*() {
        const { containerId, id } = yield* runningSpace("gap", startEventDrivenNode)
        yield* Effect.sync(() => proxy.holdEvents())
        yield* Effect.promise(() => docker.getContainer(containerId).kill())
        // No event reaches the node and its next check is an hour away: it cannot know yet.
        yield* Effect.sleep(Duration.millis(1_500))
        expect((yield* readSpace(id))?.observed).toBe("running")
        const releasedAt = Date.now()
        yield* Effect.sync(() => proxy.releaseEvents())
        yield* awaitSpace(id, "to show the kill", (space) => space?.observed !== "running" || space.containerId !== containerId)
        console.log(`a kill while the event stream was lost showed ${Date.now() - releasedAt} ms after the stream could resume`)
        const rebuilt = yield* awaitSpace(
          id,
          "running in a new container",
          (space) => space?.observed === "running" && space.containerId !== containerId
        )
        expect((yield* containersOf(id)).map((info) => info.Id)).toEqual([rebuilt!.containerId])
      }).pipe(Effect.provide(onEngine("us-east", proxy.socketPath)))
    }).pipe(Effect.scoped))

  it.live("adopts its running container after a node restart, with no duplicate", () =>
    Effect.gen(function*() {
      const { containerId, id, ref } = yield* runningSpace("restart")
      yield* ref.stop
      expect((yield* engineView(containerId))!.State.Running).toBe(true)
      yield* startTestNode
      // A few periodic checks of the new node.
      yield* Effect.sleep("1 second")
      const after = yield* observed(id, "running")
      expect(after.containerId).toBe(containerId)
      const containers = yield* containersOf(id)
      expect(containers.map((info) => [info.Id, info.State])).toEqual([[containerId, "running"]])
    }).pipe(Effect.provide(onEngine())))

  it.live("refuses a template limited to eu-west on a us-east-only node, creating nothing", () =>
    Effect.gen(function*() {
      yield* (yield* Templates).put({ ...template, name: "eu-only", zones: ["eu-west"] })
      yield* startTestNode
      const id = uniqueSpace("eu")
      const created = yield* Effect.either((yield* Spaces).create({ name: id, template: "eu-only", owner: "tester" }))
      expect(Either.isLeft(created) && created.left.message).toBe("no alive node in zones [eu-west] for template eu-only")
      expect(yield* (yield* Spaces).list()).toEqual([])
    }).pipe(Effect.provide(onEngine())))
})
