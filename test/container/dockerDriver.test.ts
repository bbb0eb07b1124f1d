import { afterAll, describe, expect, it } from "@effect/vitest"
import { existsSync, mkdtempSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Docker from "dockerode"
import { Effect, Schedule } from "effect"
import type { ContainerSpec } from "../../effects/container/containerDriver.ts"
import { ContainerDriver } from "../../effects/container/containerDriver.ts"
import { ContainerNotFound, ImageNotFound } from "../../effects/container/containerDriver.errors.ts"
import { AGENT_DIR } from "../../effects/docker/agentSockets.ts"
import { DockerDriver } from "../../effects/docker/dockerDriver.ts"
import { engineAvailable, engineSocket, noEngineNotice, testImage } from "../support/dockerEngine.ts"

const available = await engineAvailable()
if (!available) console.log(noEngineNotice("container engine tests"))

const runId = `knot-test-${process.pid}`
/**
 * Everything these tests create carries these labels; afterAll removes what has this run's
 * label only, since other files' engine tests run at the same time.
 */
const testLabel = { "knot.test": "1", "knot.test.run": runId }
let counter = 0
const uniqueName = (what: string) => `${runId}-${what}-${++counter}`

const docker = new Docker({ socketPath: engineSocket })

const spec = (what: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec => ({
  name: uniqueName(what),
  image: testImage,
  command: ["sleep", "3600"],
  env: { KNOT_SPACE: what },
  labels: { ...testLabel, "knot.space": what },
  volumes: [],
  ...overrides
})

/** What the engine itself says, read with dockerode rather than through the driver. */
const engineView = (id: string) => Effect.promise(() => docker.getContainer(id).inspect())

/**
 * Waits until the container's init has started its command. A SIGTERM that reaches init (PID
 * 1 of the container) before it handles signals is dropped, as the kernel drops any signal
 * PID 1 has no handler for; a stop right after a start then ended by the SIGKILL, once, on a
 * busy machine.
 */
const commandRunning = (id: string) =>
  Effect.promise(() => docker.getContainer(id).top()).pipe(
    Effect.repeat({
      until: (top: { readonly Processes?: ReadonlyArray<ReadonlyArray<string>> }) =>
        (top.Processes ?? []).some((process) => process.some((field) => field.includes("sleep 3600"))),
      schedule: Schedule.spaced("50 millis")
    }),
    Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("the container's command did not start within 10 s") }),
    Effect.orDie
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

const withDriver = <A, E>(effect: Effect.Effect<A, E, ContainerDriver>) =>
  Effect.provide(effect, DockerDriver.layer())

describe.runIf(available)("DockerDriver on a real engine", () => {
  afterAll(async () => {
    const mine = { label: [`knot.test.run=${runId}`] }
    const containers = await docker.listContainers({ all: true, filters: mine })
    await Promise.all(containers.map((info) => docker.getContainer(info.Id).remove({ force: true })))
    const { Volumes } = await docker.listVolumes({ filters: mine })
    await Promise.all((Volumes ?? []).map((volume) => docker.getVolume(volume.Name).remove()))
  })

  it.live("gives each container a directory of its own for SSH agent sockets, read-only inside, removed with it", () =>
    Effect.gen(function*() {
      const root = mkdtempSync(join(tmpdir(), "knot-agent-sockets-"))
      const made = spec("agent")
      const driver = DockerDriver.layer({ agentSocketsDir: root })
      const info = yield* Effect.provide(Effect.flatMap(ContainerDriver, (engine) => engine.create(made)), driver)
      const mount = (yield* engineView(info.id)).Mounts.find((candidate) => candidate.Destination === AGENT_DIR)
      expect(mount).toMatchObject({ Source: join(root, made.name), RW: false })
      expect(statSync(join(root, made.name)).mode & 0o777).toBe(0o755)
      yield* Effect.provide(Effect.flatMap(ContainerDriver, (engine) => engine.remove(info.id, { volumes: [] })), driver)
      expect(existsSync(join(root, made.name))).toBe(false)
    }))

  it.live("create makes a container, not yet started, with init, labels, env, command and limits", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const wanted = spec("create", { memoryBytes: 64 * 1024 * 1024, cpus: 0.5 })
      const info = yield* driver.create(wanted)
      expect(info).toMatchObject({ name: wanted.name, image: testImage, labels: wanted.labels, state: "created" })
      const seen = yield* engineView(info.id)
      expect(seen.State.Status).toBe("created")
      expect(seen.HostConfig.Init).toBe(true)
      expect(seen.HostConfig.Memory).toBe(64 * 1024 * 1024)
      expect(seen.HostConfig.NanoCpus).toBe(500_000_000)
      expect(seen.Config.Labels).toMatchObject(wanted.labels)
      expect(seen.Config.Env).toContain("KNOT_SPACE=create")
      expect(seen.Config.Cmd).toEqual(["sleep", "3600"])
    })))

  it.live("create makes the named volumes and mounts them", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const volume = uniqueName("home")
      const info = yield* driver.create(spec("volumes", { volumes: [{ name: volume, mountPath: "/home/dev" }] }))
      expect(yield* volumeExists(volume)).toBe(true)
      const seen = yield* engineView(info.id)
      expect(seen.Mounts.map((mount) => [mount.Type, mount.Name, mount.Destination])).toEqual([
        ["volume", volume, "/home/dev"]
      ])
    })))

  it.live("create reuses a named volume that already exists", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const volume = uniqueName("kept")
      yield* Effect.promise(() => docker.createVolume({ Name: volume, Labels: testLabel }))
      const info = yield* driver.create(spec("reuse", { volumes: [{ name: volume, mountPath: "/data" }] }))
      const seen = yield* engineView(info.id)
      expect(seen.Mounts.map((mount) => mount.Name)).toEqual([volume])
    })))

  it.live("start makes the container run, as the engine and inspect both say", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const { id } = yield* driver.create(spec("start"))
      yield* driver.start(id)
      expect((yield* engineView(id)).State.Running).toBe(true)
      expect((yield* driver.inspect(id))?.state).toBe("running")
    })))

  it.live("start of a running container succeeds", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const { id } = yield* driver.create(spec("restart"))
      yield* driver.start(id)
      yield* driver.start(id)
      expect((yield* engineView(id)).State.Running).toBe(true)
    })))

  it.live("stop ends the container by SIGTERM through init, not by the SIGKILL after the timeout", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const { id } = yield* driver.create(spec("stop"))
      yield* driver.start(id)
      yield* commandRunning(id)
      const started = Date.now()
      yield* driver.stop(id, 20)
      console.log(`stop of a running container took ${Date.now() - started} ms (timeout 20 s)`)
      const seen = yield* engineView(id)
      expect([seen.State.Status, seen.State.ExitCode]).toEqual(["exited", 143])
      expect(yield* driver.inspect(id)).toMatchObject({ state: "exited", exitCode: 143 })
    })))

  it.live("stop of a stopped container succeeds", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const { id } = yield* driver.create(spec("stopped"))
      yield* driver.start(id)
      yield* driver.stop(id, 20)
      yield* driver.stop(id, 20)
      expect((yield* engineView(id)).State.Status).toBe("exited")
    })))

  it.live("start after stop runs the container again", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const { id } = yield* driver.create(spec("again"))
      yield* driver.start(id)
      yield* driver.stop(id, 20)
      yield* driver.start(id)
      expect((yield* engineView(id)).State.Running).toBe(true)
      expect(yield* driver.inspect(id)).toMatchObject({ state: "running" })
    })))

  it.live("remove deletes a running container and the listed volumes, and keeps the others", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const dropped = uniqueName("scratch")
      const kept = uniqueName("home")
      const volumes = [{ name: dropped, mountPath: "/scratch" }, { name: kept, mountPath: "/home/dev" }]
      const { id } = yield* driver.create(spec("remove", { volumes }))
      yield* driver.start(id)
      yield* driver.remove(id, { volumes: [dropped] })
      const left = yield* Effect.promise(() => docker.listContainers({ all: true, filters: { id: [id] } }))
      expect(left).toEqual([])
      expect(yield* volumeExists(dropped)).toBe(false)
      expect(yield* volumeExists(kept)).toBe(true)
    })))

  it.live("stop and remove of a missing container succeed, and inspect gives undefined", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const missing = uniqueName("missing")
      yield* driver.stop(missing, 1)
      yield* driver.remove(missing, { volumes: [uniqueName("never-made")] })
      expect(yield* driver.inspect(missing)).toBeUndefined()
    })))

  it.live("start of a missing container fails with ContainerNotFound", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const missing = uniqueName("missing")
      expect(yield* Effect.flip(driver.start(missing))).toEqual(new ContainerNotFound({ id: missing }))
    })))

  it.live("create from an image the engine lacks fails with ImageNotFound and pulls nothing", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const image = "knot-no-such-image:0"
      expect(yield* Effect.flip(driver.create(spec("noimage", { image })))).toEqual(new ImageNotFound({ image }))
    })))

  it.live("listByLabels finds exactly the containers carrying every given label", () =>
    withDriver(Effect.gen(function*() {
      const driver = yield* ContainerDriver
      const node = uniqueName("node")
      const mine = { ...testLabel, "knot.node": node, "knot.template": "dev" }
      const a = yield* driver.create(spec("list-a", { labels: mine }))
      yield* driver.create(spec("list-b", { labels: { ...mine, "knot.template": "ops" } }))
      yield* driver.create(spec("list-c", { labels: { ...testLabel, "knot.template": "dev" } }))
      const d = yield* driver.create(spec("list-d", { labels: { ...mine, extra: "yes" } }))
      yield* driver.start(d.id)
      const found = yield* driver.listByLabels(mine)
      expect(found.map((info) => info.id).sort()).toEqual([a.id, d.id].sort())
      expect(found.find((info) => info.id === d.id)?.state).toBe("running")
    })))
})
