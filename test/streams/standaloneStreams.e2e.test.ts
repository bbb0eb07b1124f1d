/**
 * Into a space on a standalone node, as a user does it: `knot server` and the CLI as child
 * processes, a real engine, and the shell in tmux as at a terminal.
 */
import { createHash } from "node:crypto"
import { type ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Docker from "dockerode"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineAvailable, engineSocket, noEngineNotice } from "../support/dockerEngine.ts"
import { eventually } from "../support/eventually.ts"
import { startStandaloneServer } from "../support/standaloneServer.ts"
import { cli, cliProcess, talkingTemplate, tmux, waitForOutput } from "./streamsSupport.ts"

const available = await engineAvailable()
if (!available) console.log(noEngineNotice("the stream end-to-end tests"))

const adminToken = "knot-streams-admin-token-0123456789"

describe.runIf(available)("streams into a space on a standalone node", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "knot-streams-"))
  const port = 4900 + Math.floor(Math.random() * 400)
  const server = `http://127.0.0.1:${port}`
  const docker = new Docker({ socketPath: engineSocket })
  const session = `knot-shell-${process.pid}`
  let node: ChildProcess
  const knot = (args: ReadonlyArray<string>, input?: Buffer | string) =>
    cli(server, adminToken, args, input === undefined ? {} : { input })

  beforeAll(async () => {
    node = (await startStandaloneServer(dir, port, { KNOT_ADMIN_TOKEN: adminToken })).process
    writeFileSync(join(dir, "talk.toml"), talkingTemplate("talk"))
    expect((await knot(["template", "create", "--file", join(dir, "talk.toml")])).code).toBe(0)
    const created = await knot(["space", "create", "talk-dev", "--template", "talk"])
    expect(created.code, created.stderr).toBe(0)
  }, 90_000)

  afterAll(async () => {
    await tmux.kill(session)
    node?.kill("SIGTERM")
    const containers = await docker.listContainers({ all: true, filters: { name: ["^/knot\\.talk-dev\\."] } })
    for (const container of containers) await docker.getContainer(container.Id).remove({ force: true })
    rmSync(dir, { recursive: true, force: true })
  })

  it("exec prints what the command writes", async () => {
    const result = await knot(["space", "exec", "talk-dev", "--", "echo", "hi"])
    expect([result.code, result.stdout]).toEqual([0, "hi\n"])
  })

  it("exec exits with the command's exit code", async () => {
    const result = await knot(["space", "exec", "talk-dev", "--", "sh", "-c", "exit 3"])
    expect(result.code).toBe(3)
  })

  it("exec pipes 1 MiB through cat byte for byte", async () => {
    const payload = Buffer.alloc(1024 * 1024)
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919 + (i >> 8)) % 256
    const result = await cli(server, adminToken, ["space", "exec", "talk-dev", "--", "cat"], { input: payload })
    const digest = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex")
    expect(result.code).toBe(0)
    expect(digest(Buffer.from(result.stdout, "latin1"))).toBe(digest(payload))
  })

  it("exec's command is hung up when the client is killed in the middle of it", async () => {
    const running = cliProcess(server, adminToken, ["space", "exec", "talk-dev", "--", "sh", "-c", "echo started; sleep 3271"])
    await waitForOutput(running.output, "started")
    running.child.kill("SIGKILL")
    await running.exited
    const sleeping = async () => (await knot(["space", "exec", "talk-dev", "--", "ps", "-o", "args"])).stdout.split("\n").includes("sleep 3271")
    await eventually("the command to be hung up", async () => ((await sleeping()) ? undefined : true), 15_000)
  })

  it("shell in a terminal runs what is typed, follows a resize and exits with the shell's code", { timeout: 150_000 }, async () => {
    await tmux.start(session, server, adminToken, ["space", "shell", "talk-dev"])
    // The CLI may take long to load on a busy machine (tsx, when the bundle is older than the sources).
    await tmux.waitFor(session, /#\s*$/m, 90_000)
    await tmux.keys(session, "echo $((6*7))")
    await tmux.waitFor(session, /^42\s*$/m)
    await tmux.resize(session, 120, 40)
    await tmux.keys(session, "stty size")
    await tmux.waitFor(session, /^40 120\s*$/m)
    await tmux.keys(session, "exit 4")
    await tmux.waitFor(session, /EXITED 4/)
  })

  it("logs --follow shows a line the container writes after it started", async () => {
    const follower = cliProcess(server, adminToken, ["space", "logs", "talk-dev", "--follow"])
    try {
      await waitForOutput(follower.output, "booted")
      const said = await knot(["space", "exec", "talk-dev", "--", "sh", "-c", "echo said-later > /tmp/say"])
      expect(said.code).toBe(0)
      await waitForOutput(follower.output, "said-later")
    } finally {
      follower.child.kill("SIGINT")
    }
  })

  it("logs --tail prints only the last lines", async () => {
    const result = await knot(["space", "logs", "talk-dev", "--tail", "1"])
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split("\n")).toHaveLength(1)
  })

  it("forward serves the space's httpd on 127.0.0.1, to several clients at once", async () => {
    const forwarder = cliProcess(server, adminToken, ["space", "forward", "talk-dev", "0:8080"])
    try {
      await waitForOutput(forwarder.output, /forwarding 127\.0\.0\.1:(\d+)/)
      const local = Number(/forwarding 127\.0\.0\.1:(\d+)/.exec(forwarder.output())![1])
      const pages = await Promise.all([1, 2, 3].map(() => fetch(`http://127.0.0.1:${local}/`).then((r) => r.text())))
      expect(pages).toEqual(["knot-forward-page\n", "knot-forward-page\n", "knot-forward-page\n"])
    } finally {
      forwarder.child.kill("SIGINT")
    }
  })

  it("an HTTP port of the template is browsed through the node behind sign-in", async () => {
    const signedIn = await fetch(`${server}/spaces/admin/talk-dev/ports/8080/`, { headers: { authorization: `Bearer ${adminToken}` } })
    expect([signedIn.status, await signedIn.text()]).toEqual([200, "knot-forward-page\n"])
    const anonymous = await fetch(`${server}/spaces/admin/talk-dev/ports/8080/`)
    expect(anonymous.status).toBe(401)
  })

  it("space get lists the template's ports with where to reach them", async () => {
    const result = await knot(["space", "get", "talk-dev"])
    expect(result.stdout).toContain(`8080/http (web) ${server}/spaces/admin/talk-dev/ports/8080/`)
  })

  it("exec of a command the image lacks fails with the engine's reason", async () => {
    const result = await knot(["space", "exec", "talk-dev", "--", "no-such-tool"])
    expect(result.code).toBe(126)
    expect(result.stdout + result.stderr).toContain("no-such-tool")
  })

  it("forward keeps serving once the node it talks to has restarted", async () => {
    const forwarder = cliProcess(server, adminToken, ["space", "forward", "talk-dev", "0:8080"])
    try {
      await waitForOutput(forwarder.output, /forwarding 127\.0\.0\.1:(\d+)/)
      const local = Number(/forwarding 127\.0\.0\.1:(\d+)/.exec(forwarder.output())![1])
      const exited = new Promise((resolve) => node.once("exit", resolve))
      node.kill("SIGTERM")
      await exited
      node = (await startStandaloneServer(dir, port, { KNOT_ADMIN_TOKEN: adminToken })).process
      const page = await eventually("the page through the same forward", async () => {
        const response = await fetch(`http://127.0.0.1:${local}/`).catch(() => undefined)
        const text = await response?.text()
        return text === "knot-forward-page\n" ? text : undefined
      })
      expect(page).toBe("knot-forward-page\n")
      expect(forwarder.child.exitCode).toBe(null)
    } finally {
      forwarder.child.kill("SIGINT")
    }
  }, 180_000)
})
