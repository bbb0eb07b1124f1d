/**
 * What an idle standalone node costs, empty and with 200 running spaces: the engine API calls
 * it makes per second (counted by a proxy on the engine's socket, test/support/engineProxy.ts)
 * and the CPU its process uses (from /proc). A `knot server` process on the real engine; the
 * spaces are busybox `sleep`. Run by `npm run bench`; prints figures, asserts none. Skipped,
 * with a line saying so, where no engine answers.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Docker from "dockerode"
import { engineAvailable, engineSocket, noEngineNotice, testImage } from "../support/dockerEngine.ts"
import { startEngineProxy } from "../support/engineProxy.ts"
import { scaled } from "./benchScale.ts"

const SPACES = Number(process.env.KNOT_BENCH_SPACES ?? scaled(200, 2))
const WINDOW_MS = scaled(20_000, 1_000)
/** After the last change: the first checks of 200 new spaces and their status writes settle. */
const SETTLE_MS = scaled(10_000, 0)
const token = "knot-bench-idle-admin-token-0123456789"
const entry = new URL("../../bin/knot.js", import.meta.url).pathname
const clockTicks = 100

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

/** User and system CPU seconds the process has used. */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / clockTicks
}

const main = async () => {
  if (!(await engineAvailable())) {
    console.log(noEngineNotice("the idle-cost benchmark"))
    return
  }
  const proxy = await startEngineProxy(engineSocket)
  const dir = mkdtempSync(join(tmpdir(), "knot-bench-idle-"))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  writeFileSync(
    join(dir, "knot.toml"),
    `[server]\nzone = "bench"\ndata_dir = "${join(dir, "data")}"\nlisten = "127.0.0.1:${port}"\n\n[docker]\nsocket = "${proxy.socketPath}"\n`
  )
  const docker = new Docker({ socketPath: engineSocket })
  let node: ChildProcess | undefined
  let output = ""
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
    return text === "" ? undefined : JSON.parse(text)
  }
  const idle = async (label: string) => {
    await sleep(SETTLE_MS)
    const [calls, cpu, at] = [proxy.requests(), cpuSeconds(node!.pid!), performance.now()]
    await sleep(WINDOW_MS)
    const seconds = (performance.now() - at) / 1000
    const figure = {
      label,
      callsPerSecond: (proxy.requests() - calls) / seconds,
      cpuPercent: ((cpuSeconds(node!.pid!) - cpu) / seconds) * 100
    }
    console.log(
      `idle, ${label}: ${figure.callsPerSecond.toFixed(2)} engine calls/s, node CPU ${figure.cpuPercent.toFixed(2)} % of a core (over ${seconds.toFixed(0)} s)`
    )
    return figure
  }
  try {
    node = spawn(process.execPath, [entry, "server", "--config", join(dir, "knot.toml")], {
      env: { ...process.env, KNOT_ADMIN_TOKEN: token },
      stdio: ["ignore", "pipe", "pipe"]
    })
    node.stdout?.on("data", (chunk) => (output += chunk))
    node.stderr?.on("data", (chunk) => (output += chunk))
    const deadline = Date.now() + 60_000
    while (!output.includes(`serving ${url}`)) {
      if (Date.now() > deadline || node.exitCode !== null) throw new Error(`knot server did not start:\n${output}`)
      await sleep(100)
    }
    const empty = await idle("0 spaces")
    await api("POST", "/api/templates", { name: "idle", image: testImage, command: ["sleep", "86400"], memoryMb: 16 })
    const started = performance.now()
    const names = Array.from({ length: SPACES }, (_, i) => `idle-${i}`)
    for (let at = 0; at < names.length; at += 8) {
      await Promise.all(names.slice(at, at + 8).map((name) => api("POST", "/api/spaces", { name, template: "idle" })))
    }
    for (;;) {
      const spaces = (await api("GET", "/api/spaces")) as ReadonlyArray<{ readonly observed: string }>
      const running = spaces.filter((space) => space.observed === "running").length
      if (running === SPACES) break
      if (spaces.some((space) => space.observed === "failed")) throw new Error("a space failed to start")
      await sleep(1_000)
    }
    console.log(`${SPACES} spaces running after ${((performance.now() - started) / 1000).toFixed(0)} s`)
    const full = await idle(`${SPACES} spaces running`)
    console.log(
      `with ${SPACES} spaces against none: engine calls/s ${full.callsPerSecond.toFixed(2)} vs ${empty.callsPerSecond.toFixed(2)}, ` +
        `CPU ${(full.cpuPercent / Math.max(empty.cpuPercent, 0.01)).toFixed(2)}x the empty node's`
    )
  } finally {
    node?.kill("SIGKILL")
    const mine = await docker.listContainers({ all: true, filters: { label: ["knot.space"] } })
    const ours = mine.filter((info) => info.Names.some((name) => /^\/knot\.idle-\d+\./.test(name)))
    for (let at = 0; at < ours.length; at += 16) {
      await Promise.all(ours.slice(at, at + 16).map((info) => docker.getContainer(info.Id).remove({ force: true, v: true })))
    }
    await proxy.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
