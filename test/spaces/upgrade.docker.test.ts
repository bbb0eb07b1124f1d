/**
 * A data directory written by an older knot opens on this one. The store under
 * test/data/store-bfb043e was made by knot at commit bfb043e, before spaces had creation ids;
 * engine.json lists the volumes and containers that knot had made then, and this file makes
 * them again on the engine (a fresh machine has none) before a `knot server` of today starts
 * on a copy of the store. Its spaces keep their record keys as their identities, and their
 * containers and volumes must be adopted, not made again.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import Docker from "dockerode"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineAvailable, engineSocket, noEngineNotice, testImage } from "../support/dockerEngine.ts"
import { eventually } from "../support/eventually.ts"

const fixture = fileURLToPath(new URL("../data/store-bfb043e/", import.meta.url))
const knotBin = fileURLToPath(new URL("../../bin/knot.js", import.meta.url))

interface EngineFixture {
  readonly adminToken: string
  readonly aliceToken: string
  readonly volumes: ReadonlyArray<{ readonly name: string; readonly labels: Record<string, string> }>
  readonly containers: ReadonlyArray<{
    readonly name: string
    readonly cmd: Array<string>
    readonly env: Array<string>
    readonly labels: Record<string, string>
    readonly mounts: ReadonlyArray<{ readonly volume: string; readonly path: string }>
    readonly running: boolean
  }>
  readonly file: { readonly volume: string; readonly path: string; readonly content: string }
}

const engine = JSON.parse(readFileSync(join(fixture, "engine.json"), "utf8")) as EngineFixture

const available = await engineAvailable()
if (!available) console.log(noEngineNotice("upgrade tests"))

interface SpaceSeen {
  readonly id: string
  readonly name: string
  readonly owner: string
  readonly desired: string
  readonly observed: string
}

describe.runIf(available)("a store written by knot at bfb043e, opened by this knot", () => {
  const docker = new Docker({ socketPath: engineSocket })
  const dir = mkdtempSync(join(tmpdir(), "knot-upgrade-"))
  const port = 4400 + Math.floor(Math.random() * 500)
  const server = `http://127.0.0.1:${port}`
  const idsBefore = new Map<string, string>()
  let node: ChildProcess | undefined
  let output = ""

  const api = async <A>(path: string, token = engine.adminToken, method = "GET"): Promise<A> => {
    const response = await fetch(`${server}${path}`, { method, headers: { authorization: `Bearer ${token}` } })
    const body = await response.text()
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${body}`)
    return JSON.parse(body) as A
  }

  const spaces = () => api<ReadonlyArray<SpaceSeen>>("/api/spaces")

  /** Polls as the leaf tests do, and says on failure what the node printed. */
  const until = <A>(what: string, probe: () => Promise<A | undefined>, withinMs = 30_000): Promise<A> =>
    eventually(what, probe, withinMs).catch((error: Error) => {
      throw new Error(`${error.message}; the node printed:\n${output}`)
    })

  const observedAs = (name: string, observed: string) =>
    until(`${name} observed ${observed}`, async () => {
      const space = (await spaces()).find((candidate) => candidate.name === name)
      return space?.observed === observed ? space : undefined
    })

  /** The containers the engine holds for the space keyed `space`. */
  const containersOf = (space: string) =>
    docker.listContainers({ all: true, filters: { label: [`knot.space=${space}`] } })

  const readInContainer = async (id: string, path: string): Promise<string> => {
    const exec = await docker.getContainer(id).exec({ Cmd: ["cat", path], AttachStdout: true, AttachStderr: true })
    const stream = await exec.start({ hijack: true, stdin: false })
    const chunks: Array<Buffer> = []
    stream.on("data", (chunk: Buffer) => chunks.push(chunk))
    await new Promise((resolve) => stream.on("end", resolve))
    // The stream is multiplexed: 8-byte headers (stream, length) before each payload.
    const raw = Buffer.concat(chunks)
    let text = ""
    for (let at = 0; at + 8 <= raw.length;) {
      const length = raw.readUInt32BE(at + 4)
      if (raw[at] === 1) text += raw.subarray(at + 8, at + 8 + length).toString("utf8")
      at += 8 + length
    }
    return text
  }

  const removeEngineObjects = async () => {
    for (const container of engine.containers) {
      await docker.getContainer(container.name).remove({ force: true }).catch(() => undefined)
    }
    for (const space of ["adev", "admin-box"]) {
      for (const container of await containersOf(space)) {
        await docker.getContainer(container.Id).remove({ force: true }).catch(() => undefined)
      }
    }
    // By the fixture's node label: also what an earlier run made and could not remove.
    const node = engine.volumes[0]!.labels["knot.node"]!
    const volumes = await docker.listVolumes({ filters: { label: [`knot.node=${node}`] } })
    for (const volume of volumes.Volumes ?? []) await docker.getVolume(volume.Name).remove().catch(() => undefined)
  }

  beforeAll(async () => {
    await removeEngineObjects()
    for (const volume of engine.volumes) await docker.createVolume({ Name: volume.name, Labels: volume.labels })
    for (const spec of engine.containers) {
      const container = await docker.createContainer({
        name: spec.name,
        Image: testImage,
        Cmd: spec.cmd,
        Env: spec.env,
        Labels: spec.labels,
        HostConfig: { Mounts: spec.mounts.map((mount) => ({ Type: "volume", Source: mount.volume, Target: mount.path })) }
      })
      await container.start()
      if (spec.name === "knot-adev-1") {
        const write = await container.exec({
          Cmd: ["sh", "-c", `printf '%s' "$0" > /home/dev/${engine.file.path}`, engine.file.content]
        })
        await write.start({ Detach: true })
        await until("the file written", async () => ((await write.inspect()).Running ? undefined : true))
      }
      if (!spec.running) await container.stop({ t: 1 })
      idsBefore.set(spec.labels["knot.space"]!, container.id)
    }

    cpSync(join(fixture, "data"), join(dir, "data"), { recursive: true })
    node = spawn(process.execPath, [knotBin, "server", "--data-dir", join(dir, "data"), "--listen", `127.0.0.1:${port}`], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    node.stdout?.on("data", (chunk) => (output += chunk))
    node.stderr?.on("data", (chunk) => (output += chunk))
    await until("the node serving", async () => {
      if (node?.exitCode !== null) throw new Error("the node exited")
      return output.includes("serving http://") ? true : undefined
    }, 60_000)
  }, 120_000)

  afterAll(async () => {
    node?.kill("SIGTERM")
    await removeEngineObjects()
    rmSync(dir, { recursive: true, force: true })
  })

  it("serves the old store's users and lists its spaces with their owners and states", async () => {
    const running = await observedAs("adev", "running")
    expect(running).toMatchObject({ id: "adev", owner: "alice", desired: "running" })
    expect(await observedAs("admin-box", "stopped")).toMatchObject({ id: "admin-box", owner: "admin", desired: "stopped" })
    expect((await spaces()).map((space) => space.name).sort()).toEqual(["adev", "admin-box"])
    expect(output).not.toContain("created admin user")
  }, 60_000)

  it("adopts the containers the old knot made instead of making them again", async () => {
    await observedAs("adev", "running")
    // Several reconcile rounds: a node that did not recognize them would replace them here.
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    for (const [space, id] of idsBefore) {
      const held = await containersOf(space)
      expect(held.map((container) => container.Id)).toEqual([id])
    }
    expect((await docker.getContainer(idsBefore.get("adev")!).inspect()).State.Running).toBe(true)
  }, 60_000)

  it("lets the old space's owner address it by name, and an admin as owner/name", async () => {
    expect(await api<SpaceSeen>("/api/spaces/alice/adev", engine.aliceToken)).toMatchObject({ name: "adev", owner: "alice" })
    expect(await api<SpaceSeen>("/api/spaces/alice/adev")).toMatchObject({ id: "adev" })
  })

  it("keeps the old volume's data, also in the container a stop and a start make", async () => {
    expect(await readInContainer(idsBefore.get("adev")!, `/home/dev/${engine.file.path}`)).toBe(engine.file.content)
    await api("/api/spaces/alice/adev/stop", engine.aliceToken, "POST")
    await observedAs("adev", "stopped")
    await api("/api/spaces/alice/adev/start", engine.aliceToken, "POST")
    const rebuilt = await until("adev running in a container of a later generation", async () => {
      const space = (await spaces()).find((candidate) => candidate.name === "adev")
      const held = (await containersOf("adev")).filter((container) => container.State === "running")
      return space?.observed === "running" && held.length === 1 ? held[0] : undefined
    })
    expect(await readInContainer(rebuilt.Id, `/home/dev/${engine.file.path}`)).toBe(engine.file.content)
    const volumes = await docker.listVolumes({ filters: { label: ["knot.space=adev"] } })
    expect((volumes.Volumes ?? []).map((volume) => volume.Name)).toEqual(["knot-adev-home"])
  }, 90_000)
})
