/**
 * README's commands as a new user runs them: installed by its first step (`npm link`, into a
 * prefix of the test's own so that nothing global changes; `npm ci` has run already), then
 * `knot server` and the quick start from a directory outside the checkout, with `knot` found on
 * PATH. The node listens on a free port instead of 3000, which another node may hold here.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineAvailable, noEngineNotice } from "../support/dockerEngine.ts"

const run = promisify(execFile)
const root = new URL("../..", import.meta.url).pathname
const readme = readFileSync(join(root, "README.md"), "utf8")
const token = "knot-readme-admin-token-0123456789"

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

/** The README's shell blocks, in order. */
const shellBlocks = [...readme.matchAll(/```sh\n([^`]+)```/g)].map((match) => match[1]!)

const quickStart = shellBlocks.find((block) => block.includes("knot template create"))!

describe("README's commands, from a directory outside the checkout", () => {
  let prefix: string
  let home: string
  let path: string
  let url: string
  let node: ChildProcess | undefined
  let output = ""

  beforeAll(async () => {
    prefix = mkdtempSync(join(tmpdir(), "knot-readme-prefix-"))
    home = mkdtempSync(join(tmpdir(), "knot-readme-home-"))
    const install = shellBlocks[0]!.trim()
    expect(install).toBe("npm ci && npm link && knot server")
    await run("npm", ["link"], { cwd: root, env: { ...process.env, npm_config_prefix: prefix } })
    path = `${join(prefix, "bin")}:${process.env.PATH}`
    url = `http://127.0.0.1:${await freePort()}`
  }, 120_000)

  afterAll(() => {
    if (node !== undefined && node.exitCode === null) node.kill("SIGKILL")
    rmSync(prefix, { recursive: true, force: true })
    rmSync(home, { recursive: true, force: true })
  })

  const env = () => ({ ...process.env, PATH: path, HOME: home, KNOT_SERVER: url, KNOT_TOKEN: token, NO_COLOR: "1" })

  it("finds knot on PATH after npm link", async () => {
    const { stdout } = await run("knot", ["--version"], { cwd: home, env: env() })
    expect(stdout.trim()).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version)
  }, 30_000)

  it("runs knot server there, with its data in ./knot-data of that directory", async () => {
    node = spawn("knot", ["server", "--listen", url.replace("http://", "")], {
      cwd: home,
      env: { ...env(), KNOT_ADMIN_TOKEN: token },
      stdio: ["ignore", "pipe", "pipe"]
    })
    node.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()))
    node.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()))
    for (let tries = 0; !output.includes("serving http://"); tries++) {
      if (tries > 600 || node.exitCode !== null) throw new Error(`knot server did not start:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(output).toContain(`data in ${join(home, "knot-data")}`)
  }, 90_000)

  it("runs the quick start there, word for word but for the node's address and token", async () => {
    if (!(await engineAvailable())) {
      console.log(noEngineNotice("README's quick start"))
      const { stdout } = await run("knot", ["space", "list"], { cwd: home, env: env() })
      expect(stdout).toContain("no spaces")
      return
    }
    const script = quickStart
      .replace("http://127.0.0.1:3000", url)
      .replace("<the token it printed>", token)
    const { stdout } = await run("sh", ["-ec", script], { cwd: home, env: env(), timeout: 170_000 })
    expect(stdout).toContain("template shell saved")
    expect(stdout).toMatch(/space alice-dev is running/)
    expect(stdout).toMatch(/^alice-dev +running/m)
    expect(stdout).toMatch(/user bob/)
  }, 180_000)

  it("stops the node at a SIGTERM to the process the user started, leaving no process behind", async () => {
    const started = node!
    // Closed, not merely exited: by then all it printed has been read.
    const exited = new Promise<number | null>((resolve) => started.once("close", (code) => resolve(code)))
    started.kill("SIGTERM")
    expect(await exited).toBe(0)
    const answered = await fetch(`${url}/health`).then(() => true, () => false)
    expect(answered).toBe(false)
  }, 60_000)

  it("says as it begins to stop, and says last that it has stopped", () => {
    const lines = output.trimEnd().split("\n")
    expect(lines).toContainEqual(
      expect.stringMatching(/^stopping knot node \S+: finishing the requests in flight \(for 30 s at most\) and flushing the store$/)
    )
    expect(lines.at(-1)).toMatch(/^knot node \S+ stopped; the containers of its spaces run on, and its next start adopts them$/)
  })
})
