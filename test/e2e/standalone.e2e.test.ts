/**
 * The whole product as a user meets it: `knot server` as a child process, and the CLI, also
 * as child processes, creating a token, a template and a space that the engine runs.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import Docker from "dockerode"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineAvailable, engineSocket, noEngineNotice, testImage } from "../support/dockerEngine.ts"
import { startStandaloneServer } from "../support/standaloneServer.ts"

const run = promisify(execFile)
const knotBin = new URL("../../bin/knot.js", import.meta.url).pathname
const available = await engineAvailable()
if (!available) console.log(noEngineNotice("end-to-end server tests"))

const adminToken = "knot-e2e-admin-token-0123456789abcdef"

describe.runIf(available)("knot server and the CLI, end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "knot-e2e-"))
  const port = 3900 + Math.floor(Math.random() * 500)
  const server = `http://127.0.0.1:${port}`
  const docker = new Docker({ socketPath: engineSocket })
  let node: ChildProcess

  const knot = async (args: ReadonlyArray<string>, token = adminToken) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [knotBin, ...args], {
        cwd: dir,
        env: { ...process.env, KNOT_SERVER: server, KNOT_TOKEN: token, KNOT_CONFIG: join(dir, "cli.toml") },
        timeout: 60_000
      })
      return { code: 0, stdout, stderr }
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string }
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
    }
  }

  /** The containers of the space shown as `name`: the engine names them `knot.<name>.<creation id>.<generation>`. */
  const containersOf = (name: string) =>
    docker.listContainers({ all: true, filters: { name: [`^/knot\\.${name}\\.`] } })

  beforeAll(async () => {
    node = (await startStandaloneServer(dir, port, { KNOT_ADMIN_TOKEN: adminToken })).process
    writeFileSync(
      join(dir, "shell.toml"),
      `name = "e2e-shell"\nimage = "${testImage}"\ncommand = ["sleep", "3600"]\nzones = []\n[env]\nGREETING = "hi"\n`
    )
  }, 60_000)

  afterAll(async () => {
    node?.kill("SIGTERM")
    for (const container of await containersOf("e2e-dev")) {
      await docker.getContainer(container.Id).remove({ force: true })
    }
    rmSync(dir, { recursive: true, force: true })
  })

  it("starts a standalone node that answers health without a token", async () => {
    const health = await (await fetch(`${server}/health`)).json()
    expect(health).toMatchObject({ status: "ok", mode: "standalone" })
  })

  it("creates a user and a token for them with the CLI", async () => {
    const user = await knot(["user", "create", "dev", "--role", "user"])
    expect(user.code, user.stderr).toBe(0)
    const token = await knot(["token", "create", "--user", "dev", "--name", "laptop", "--json"])
    expect(token.code, token.stderr).toBe(0)
    expect(JSON.stringify(JSON.parse(token.stdout))).toMatch(/knot_/)
  })

  it("creates a template from a file with the CLI", async () => {
    const created = await knot(["template", "create", "--file", join(dir, "shell.toml")])
    expect(created.code, created.stderr).toBe(0)
    const listed = await knot(["template", "list", "--json"])
    expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: "e2e-shell" })]))
  })

  /** When `space create` exited, and when the node it waited on says the space began to run. */
  let created: { readonly exitedAt: number; readonly runningAt: number } | undefined

  it("creates a space whose container the engine runs", async () => {
    const create = await knot(["space", "create", "e2e-dev", "--template", "e2e-shell", "--json"])
    const exitedAt = Date.now()
    expect(create.code, create.stderr).toBe(0)
    const space = JSON.parse(create.stdout)
    expect(space).toMatchObject({ name: "e2e-dev", observed: "running" })
    created = { exitedAt, runningAt: space.updatedAt }
    const [container] = await containersOf("e2e-dev")
    expect(container?.State).toBe("running")
  })

  it("space create returns once the owner reports running, and prints how long after", () => {
    expect(created).toBeDefined()
    expect(created!.exitedAt).toBeGreaterThanOrEqual(created!.runningAt)
    // A figure, not a bound (the machine is noisy): the report reaching the feed, the CLI printing, its process exiting.
    console.log(`space create exited ${created!.exitedAt - created!.runningAt} ms after the owner reported running`)
  })

  it("space list --watch prints a change that another command makes", async () => {
    const watcher = spawn(process.execPath, [knotBin, "space", "list", "--watch"], {
      cwd: dir,
      env: { ...process.env, KNOT_SERVER: server, KNOT_TOKEN: adminToken, KNOT_CONFIG: join(dir, "cli.toml") },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let watched = ""
    watcher.stdout?.on("data", (chunk) => (watched += chunk))
    watcher.stderr?.on("data", (chunk) => (watched += chunk))
    const shows = async (pattern: RegExp) => {
      const deadline = Date.now() + 20_000
      while (!pattern.test(watched) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      expect(watched).toMatch(pattern)
    }
    try {
      await shows(/^e2e-dev\s+running/m)
      const stopped = await knot(["space", "stop", "e2e-dev"])
      expect(stopped.code, stopped.stderr).toBe(0)
      await shows(/\/e2e-dev {2}stopped/)
    } finally {
      watcher.kill("SIGINT")
    }
  })

  it("the stopped space's container has exited on the engine", async () => {
    const [container] = await containersOf("e2e-dev")
    expect(container?.State).toBe("exited")
  })

  it("deletes the space and its container is gone", async () => {
    const deleted = await knot(["space", "delete", "e2e-dev"])
    expect(deleted.code, deleted.stderr).toBe(0)
    const deadline = Date.now() + 20_000
    while ((await containersOf("e2e-dev")).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(await containersOf("e2e-dev")).toEqual([])
  })

  it("fails with one line and a non-zero exit for a template that does not exist", async () => {
    const failed = await knot(["space", "create", "other", "--template", "missing"])
    expect(failed.code).not.toBe(0)
    expect(failed.stderr.trim()).toBe("error: no template named missing; see `knot template list`")
  })
})
