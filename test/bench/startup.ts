/**
 * How long a user waits for the `knot` command: the wall time of `knot --version` and of
 * `knot space list` against a local standalone node, each beside `node -e 0` measured in the
 * same run, interleaved, as the median of several tries and as a ratio to it. The goals are
 * 2.5× for `--version` and 3× for `space list`; this prints figures and asserts none.
 *
 * The bundle is built first (`npm run build`, what `npm ci` runs), so that bin/knot.js loads
 * it rather than the TypeScript sources; commands run from a directory outside the checkout,
 * as a user's would.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { scaled } from "./benchScale.ts"

const TRIES = Number(process.env.KNOT_BENCH_STARTUP_TRIES ?? scaled(15, 1))
const token = "knot-bench-startup-admin-token-0123456789"
const root = new URL("../..", import.meta.url).pathname
const entry = join(root, "bin", "knot.js")

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** The wall time of one run of `node args`, in ms; throws when it fails. */
const timed = (args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv) => {
  const started = performance.now()
  const run = spawnSync(process.execPath, args, { cwd, env, encoding: "utf8" })
  const elapsed = performance.now() - started
  if (run.status !== 0) throw new Error(`node ${args.join(" ")} exited ${run.status}: ${run.stderr}`)
  return elapsed
}

/** Resolves once the node's API answers its health check. */
const untilServing = async (url: string, node: ChildProcess, output: () => string) => {
  for (let tries = 0; tries < 600; tries++) {
    if (node.exitCode !== null) throw new Error(`the node exited ${node.exitCode}:\n${output()}`)
    const answered = await fetch(`${url}/health`).then((response) => response.status < 500, () => false)
    if (answered) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the node did not answer at ${url}:\n${output()}`)
}

const main = async () => {
  const build = spawnSync("npm", ["run", "build"], { cwd: root, encoding: "utf8" })
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`)
  const dir = mkdtempSync(join(tmpdir(), "knot-bench-startup-"))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  writeFileSync(
    join(dir, "knot.toml"),
    `[server]\ndata_dir = "${join(dir, "data")}"\nlisten = "127.0.0.1:${port}"\n\n[ssh]\nlisten = ""\n`
  )
  let output = ""
  const node = spawn(process.execPath, [entry, "server", "--config", join(dir, "knot.toml")], {
    cwd: dir,
    env: { ...process.env, KNOT_ADMIN_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"]
  })
  node.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()))
  node.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()))
  try {
    await untilServing(url, node, () => output)
    const env = { ...process.env, KNOT_SERVER: url, KNOT_TOKEN: token, NO_COLOR: "1" }
    const commands = {
      "node -e 0": ["-e", "0"],
      "knot --version": [entry, "--version"],
      "knot space list": [entry, "space", "list"]
    } as const
    const times: Record<keyof typeof commands, Array<number>> = {
      "node -e 0": [],
      "knot --version": [],
      "knot space list": []
    }
    // One untimed round first: the page cache then holds every file for each command alike.
    for (const args of Object.values(commands)) timed(args, dir, env)
    for (let round = 0; round < TRIES; round++) {
      for (const [name, args] of Object.entries(commands)) times[name as keyof typeof commands].push(timed(args, dir, env))
    }
    const baseline = median(times["node -e 0"])
    console.log(`startup, median of ${TRIES} interleaved runs from ${dir}:`)
    for (const [name, goal] of [["node -e 0", undefined], ["knot --version", 2.5], ["knot space list", 3]] as const) {
      const ms = median(times[name])
      const ratio = ms / baseline
      console.log(
        `  ${name.padEnd(16)} ${ms.toFixed(0).padStart(5)} ms` +
          (goal === undefined ? "" : `  ${ratio.toFixed(2)}× node -e 0 (goal under ${goal}×)`)
      )
    }
  } finally {
    node.kill("SIGTERM")
    await new Promise((resolve) => (node.exitCode !== null ? resolve(undefined) : node.once("exit", resolve)))
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
