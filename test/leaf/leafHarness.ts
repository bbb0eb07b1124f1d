/**
 * Real `knot server` processes for the leaf tests: each node gets a directory, a TOML config
 * and a port; it can be killed and started again on the same data. The DHT is a
 * hyperdht testnet on 127.0.0.1, made by the test.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import HyperDHT from "hyperdht"

const knotBin = new URL("../../bin/knot.js", import.meta.url).pathname

export interface NodeSpec {
  readonly name: string
  readonly port: number
  /**
   * The `[server]` mode and any extra TOML after the `[server]` and `[cluster]` sections. A leaf
   * gets no cluster key: it joins with the credential its `extra` holds.
   */
  readonly mode: "cluster" | "leaf"
  readonly extra?: string
}

export interface RunningNode {
  readonly spec: NodeSpec
  readonly dir: string
  readonly url: string
  output: string
  process: ChildProcess | undefined
}

import { sleep } from "../support/eventually.ts"

export { eventually, sleep } from "../support/eventually.ts"

/** Writes a Noise key pair where `knot server` looks for it, so its public key is known before it starts. */
export const presetKeyPair = (dataDir: string): string => {
  const pair = HyperDHT.keyPair()
  mkdirSync(dataDir, { recursive: true })
  const publicKey = pair.publicKey.toString("hex")
  writeFileSync(
    join(dataDir, "noise-keypair.json"),
    JSON.stringify({ v: 1, publicKey, secretKey: pair.secretKey.toString("hex") }),
    { mode: 0o600 }
  )
  return publicKey
}

export const prepareNode = (
  root: string,
  spec: NodeSpec,
  cluster: { readonly key: string; readonly bootstrap: ReadonlyArray<string> }
): RunningNode => {
  const dir = join(root, spec.name)
  mkdirSync(join(dir, "data"), { recursive: true })
  writeFileSync(
    join(dir, "knot.toml"),
    [
      "[server]",
      `mode = "${spec.mode}"`,
      `zone = "local"`,
      `data_dir = "data"`,
      `listen = "127.0.0.1:${spec.port}"`,
      "[cluster]",
      spec.mode === "cluster" ? `key = "${cluster.key}"` : "",
      `bootstrap = [${cluster.bootstrap.map((entry) => `"${entry}"`).join(", ")}]`,
      spec.extra ?? ""
    ].join("\n")
  )
  return { spec, dir, url: `http://127.0.0.1:${spec.port}`, output: "", process: undefined }
}

export const startNode = async (node: RunningNode, env: Record<string, string>): Promise<void> => {
  node.output = ""
  const child = spawn(process.execPath, [knotBin, "server", "--config", join(node.dir, "knot.toml")], {
    cwd: node.dir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  node.process = child
  child.stdout?.on("data", (chunk) => (node.output += chunk))
  child.stderr?.on("data", (chunk) => (node.output += chunk))
  const deadline = Date.now() + 60_000
  while (!node.output.includes("serving http://")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${node.spec.name} did not start (exit ${child.exitCode}):\n${node.output}`)
    }
    await sleep(100)
  }
}

/** Ends the process with `signal` and waits for it to be gone. */
export const stopNode = async (node: RunningNode, signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
  const child = node.process
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once("exit", resolve))
  child.kill(signal)
  await exited
  node.process = undefined
}

export const api = async (node: RunningNode, token: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  return { status: response.status, body: text.length > 0 ? (JSON.parse(text) as unknown) : undefined }
}
