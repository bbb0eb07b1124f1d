import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Stream } from "effect"
import type { ContainerSpec } from "../../effects/container/containerDriver.ts"
import { ContainerDriver } from "../../effects/container/containerDriver.ts"
import { ContainerNotFound, ImageNotFound } from "../../effects/container/containerDriver.errors.ts"
import { MemoryDriver, MemoryEngine } from "../../effects/container/memoryDriver.ts"

const spec = (name: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec => ({
  name,
  image: "busybox",
  command: ["sleep", "3600"],
  env: {},
  labels: { "knot.space": name },
  volumes: [],
  ...overrides
})

const errorTag = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (error) => error._tag)

describe("MemoryDriver", () => {
  it.effect("creates a container in the created state with the spec's name, image and labels", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const info = yield* driver.create(spec("alpha"))
      expect(info).toEqual({
        id: "mem-00000001",
        name: "alpha",
        image: "busybox",
        labels: { "knot.space": "alpha" },
        state: "created"
      })
      expect(yield* driver.inspect(info.id)).toEqual(info)
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("gives each container a new id from a counter", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const first = yield* driver.create(spec("alpha"))
      const second = yield* driver.create(spec("beta"))
      expect([first.id, second.id]).toEqual(["mem-00000001", "mem-00000002"])
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("refuses a second container with a name in use", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      yield* driver.create(spec("alpha"))
      expect(yield* errorTag(driver.create(spec("alpha")))).toBe("ContainerOperationFailed")
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("fails with ImageNotFound for an image the engine does not hold", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const error = yield* Effect.flip(driver.create(spec("alpha", { image: "missing:1" })))
      expect(error).toEqual(new ImageNotFound({ image: "missing:1" }))
    }).pipe(Effect.provide(MemoryDriver.layer({ images: ["busybox"] }))))

  it.effect("start makes a container running", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const { id } = yield* driver.create(spec("alpha"))
      yield* driver.start(id)
      expect((yield* driver.inspect(id))?.state).toBe("running")
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("start of a missing container fails with ContainerNotFound", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const error = yield* Effect.flip(driver.start("mem-404"))
      expect(error).toEqual(new ContainerNotFound({ id: "mem-404" }))
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("stop exits a running container as SIGTERM through init does", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const { id } = yield* driver.create(spec("alpha"))
      yield* driver.start(id)
      yield* driver.stop(id, 10)
      const info = yield* driver.inspect(id)
      expect([info?.state, info?.exitCode]).toEqual(["exited", 143])
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("stop of a stopped, a never started or a missing container succeeds and changes nothing", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const stopped = yield* driver.create(spec("alpha"))
      yield* driver.start(stopped.id)
      yield* driver.stop(stopped.id, 10)
      const fresh = yield* driver.create(spec("beta"))
      yield* driver.stop(stopped.id, 10)
      yield* driver.stop(fresh.id, 10)
      yield* driver.stop("mem-404", 10)
      const states = yield* Effect.forEach([stopped.id, fresh.id], (id) => driver.inspect(id))
      expect(states.map((info) => info?.state)).toEqual(["exited", "created"])
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("start after stop runs the container again without its old exit code", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const { id } = yield* driver.create(spec("alpha"))
      yield* driver.start(id)
      yield* driver.stop(id, 10)
      yield* driver.start(id)
      const info = yield* driver.inspect(id)
      expect(info?.state).toBe("running")
      expect(info).not.toHaveProperty("exitCode")
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("inspect of a missing container gives undefined", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      expect(yield* driver.inspect("mem-404")).toBeUndefined()
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("create makes the spec's named volumes", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const engine = yield* MemoryEngine
      yield* driver.create(spec("alpha", { volumes: [{ name: "alpha-home", mountPath: "/home" }] }))
      expect([...(yield* engine.volumes)]).toEqual(["alpha-home"])
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("remove deletes a running container and the listed volumes, and keeps the others", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const engine = yield* MemoryEngine
      const volumes = [{ name: "alpha-home", mountPath: "/home" }, { name: "alpha-cache", mountPath: "/cache" }]
      const { id } = yield* driver.create(spec("alpha", { volumes }))
      yield* driver.start(id)
      yield* driver.remove(id, { volumes: ["alpha-cache"] })
      expect(yield* driver.inspect(id)).toBeUndefined()
      expect([...(yield* engine.volumes)]).toEqual(["alpha-home"])
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("remove of a missing container succeeds", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      yield* driver.remove("mem-404", { volumes: [] })
      expect(yield* driver.listByLabels({})).toEqual([])
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("remove keeps a volume another container still mounts, and says so", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const engine = yield* MemoryEngine
      const first = yield* driver.create(spec("alpha", {
        volumes: [{ name: "shared", mountPath: "/data" }, { name: "own", mountPath: "/home" }]
      }))
      yield* driver.create(spec("beta", { volumes: [{ name: "shared", mountPath: "/data" }] }))
      expect(yield* errorTag(driver.remove(first.id, { volumes: ["shared", "own"] }))).toBe("ContainerOperationFailed")
      expect(yield* driver.inspect(first.id)).toBeUndefined()
      expect([...(yield* engine.volumes)]).toEqual(["shared"])
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("listByLabels gives exactly the containers carrying every given label", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const mine = { "knot.node": "n1", "knot.template": "dev" }
      const a = yield* driver.create(spec("a", { labels: mine }))
      yield* driver.create(spec("b", { labels: { "knot.node": "n1", "knot.template": "ops" } }))
      yield* driver.create(spec("c", { labels: { "knot.node": "n2", "knot.template": "dev" } }))
      const d = yield* driver.create(spec("d", { labels: { ...mine, extra: "yes" } }))
      const found = yield* driver.listByLabels(mine)
      expect(found.map((info) => info.id)).toEqual([a.id, d.id])
    }).pipe(Effect.provide(MemoryDriver.layer())))
})

describe("MemoryEngine controls", () => {
  it.effect("kill exits a running container behind knot's back with SIGKILL's code", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const engine = yield* MemoryEngine
      const { id } = yield* driver.create(spec("alpha"))
      yield* driver.start(id)
      yield* engine.kill(id)
      const info = yield* driver.inspect(id)
      expect([info?.state, info?.exitCode]).toEqual(["exited", 137])
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("kill takes the exit code a crash would leave", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const engine = yield* MemoryEngine
      const { id } = yield* driver.create(spec("alpha"))
      yield* driver.start(id)
      yield* engine.kill(id, 1)
      expect((yield* driver.inspect(id))?.exitCode).toBe(1)
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.scoped("restart ends the event streams and exits every running container, with no event told", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const engine = yield* MemoryEngine
      const running = yield* driver.create(spec("alpha"))
      yield* driver.start(running.id)
      const created = yield* driver.create(spec("beta"))
      const following = yield* Deferred.make<void>()
      const told: Array<unknown> = []
      const followed = yield* Effect.fork(
        Stream.runForEach(driver.events({}), (event) => Effect.zipRight(Effect.sync(() => told.push(event)), Deferred.succeed(following, undefined)))
      )
      yield* Deferred.await(following)
      expect(yield* engine.restart).toBe(1)
      yield* Fiber.join(followed)
      expect(told).toEqual([{ _tag: "Following" }])
      expect((yield* driver.inspect(running.id))?.state).toBe("exited")
      expect((yield* driver.inspect(created.id))?.state).toBe("created")
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("kill of a missing container fails with ContainerNotFound", () =>
    Effect.gen(function*() {
      const engine = yield* MemoryEngine
      expect(yield* Effect.flip(engine.kill("mem-404"))).toEqual(new ContainerNotFound({ id: "mem-404" }))
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("an unreachable engine fails every call with EngineUnreachable", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const engine = yield* MemoryEngine
      const { id } = yield* driver.create(spec("alpha"))
      yield* engine.makeUnreachable
      const tags = yield* Effect.all([
        errorTag(driver.create(spec("beta"))),
        errorTag(driver.start(id)),
        errorTag(driver.stop(id, 10)),
        errorTag(driver.remove(id, { volumes: [] })),
        errorTag(driver.inspect(id)),
        errorTag(driver.listByLabels({}))
      ])
      expect(new Set(tags)).toEqual(new Set(["EngineUnreachable"]))
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("a reachable engine again still holds the containers it had", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const engine = yield* MemoryEngine
      const { id } = yield* driver.create(spec("alpha"))
      yield* driver.start(id)
      yield* engine.makeUnreachable
      yield* engine.makeReachable
      expect((yield* driver.inspect(id))?.state).toBe("running")
    }).pipe(Effect.provide(MemoryDriver.layer())))

  it.effect("failNextCreates fails exactly that many creates and leaves nothing behind", () =>
    Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const engine = yield* MemoryEngine
      yield* engine.failNextCreates(2)
      const attempts = yield* Effect.forEach(["a", "b", "c"], (name) => Effect.exit(driver.create(spec(name))))
      expect(attempts.map(Exit.isSuccess)).toEqual([false, false, true])
      expect((yield* driver.listByLabels({})).map((info) => info.name)).toEqual(["c"])
    }).pipe(Effect.provide(MemoryDriver.layer())))
})
