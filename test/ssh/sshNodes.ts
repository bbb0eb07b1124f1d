/**
 * Two cluster nodes and a leaf as real `knot server` processes on loopback, on the real engine,
 * each with its SSH gateway on a port of its own: for the SSH specifications and the benchmark.
 * Users alice and bob hold keys made by ssh-keygen; alice, whom the leaf serves, has a space on
 * the cluster (`sshdev`, from the sftp image, running busybox httpd on 127.0.0.1:8080), and
 * one from plain busybox, which has no sftp-server (`sshbare`).
 */
import { execFileSync, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Docker from "dockerode"
import createTestnet from "hyperdht/testnet"
import { engineSocket, testImage } from "../support/dockerEngine.ts"
import { api, eventually, prepareNode, presetKeyPair, type RunningNode, startNode, stopNode } from "../leaf/leafHarness.ts"

/** Built by .ci/docker-engine.sh: busybox with OpenSSH's sftp-server. */
export const sftpImage = "knot-sftp:latest"

export const adminToken = "knot-ssh-admin-token-0123456789abcdef"
export const pagePort = 8080
export const page = "knot-ssh-page"

export interface SshNode extends RunningNode {
  readonly sshPort: number
  /** Its node id, from /health. */
  id: string
}

export interface SshCluster {
  readonly root: string
  readonly origin: SshNode
  readonly peer: SshNode
  readonly leaf: SshNode
  /** The private key file of alice, bob or stranger (on nobody's profile). */
  readonly keyOf: (user: "alice" | "bob" | "stranger") => string
  readonly aliceToken: string
  /** An ssh-agent of the test's own, holding one key (comment `in-the-agent@test`), to forward with -A. */
  readonly agentSocket: string
  /** The node that runs alice's cluster space, and the other cluster node. */
  readonly owner: SshNode
  readonly other: SshNode
  readonly stop: () => Promise<void>
}

const quiet = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]

export const clientOptions = (key: string, options: ReadonlyArray<string> = []) => [...options, ...quiet, "-i", key]

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const run = (command: string, args: ReadonlyArray<string>, input = "", env: Readonly<Record<string, string>> = {}): Promise<Run> =>
  new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.once("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.on("error", () => {})
    child.stdin.end(input)
  })

/** `ssh -p PORT -i KEY USER@127.0.0.1 COMMAND...` through `node`'s gateway. */
export const ssh = (
  node: SshNode,
  key: string,
  user: string,
  command: ReadonlyArray<string>,
  options: ReadonlyArray<string> = [],
  env: Readonly<Record<string, string>> = {}
) => run("ssh", [...clientOptions(key, options), "-p", String(node.sshPort), `${user}@127.0.0.1`, ...command], "", env)

const freePorts = (count: number) => {
  const base = 20_000 + Math.floor(Math.random() * 30_000)
  return Array.from({ length: count }, (_, i) => base + i)
}

const spaceTemplate = {
  name: "ssh-shell",
  image: sftpImage,
  command: ["sh", "-c", `mkdir -p /www && echo ${page} > /www/index.html && exec httpd -f -p 127.0.0.1:${pagePort} -h /www`],
  env: {},
  volumes: [],
  zones: []
}

export const startSshCluster = async (): Promise<SshCluster> => {
  const root = mkdtempSync(join(tmpdir(), "knot-ssh-nodes-"))
  const testnet = await createTestnet(3, { host: "127.0.0.1" })
  const cluster = { key: randomBytes(32).toString("hex"), bootstrap: testnet.bootstrap.map((node) => `${node.host}:${node.port}`) }
  const [originApi, peerApi, leafApi, originSsh, peerSsh, leafSsh] = freePorts(6) as [number, number, number, number, number, number]
  const sshSection = (port: number) => `[ssh]\nlisten = "127.0.0.1:${port}"`
  const env = { KNOT_ADMIN_TOKEN: adminToken }
  const origin: SshNode = {
    ...prepareNode(root, { name: "origin", port: originApi, mode: "cluster", extra: sshSection(originSsh) }, cluster),
    sshPort: originSsh,
    id: ""
  }
  const originKey = presetKeyPair(join(origin.dir, "data"))
  const peer: SshNode = {
    ...prepareNode(root, { name: "peer", port: peerApi, mode: "cluster", extra: sshSection(peerSsh) }, cluster),
    sshPort: peerSsh,
    id: ""
  }
  const docker = new Docker({ socketPath: engineSocket })
  const nodes: Array<SshNode> = [origin, peer]
  const agentSocket = join(root, "agent.sock")
  const agent = spawn("ssh-agent", ["-D", "-a", agentSocket], { stdio: "ignore" })
  const stop = async () => {
    agent.kill()
    await Promise.all(nodes.map((node) => stopNode(node)))
    for (const container of await docker.listContainers({ all: true, filters: { name: ["^/knot\\.ssh(dev|bare)\\."] } })) {
      await docker.getContainer(container.Id).remove({ force: true })
    }
    await testnet.destroy()
    rmSync(root, { recursive: true, force: true })
  }
  try {
    await Promise.all([startNode(origin, env), startNode(peer, env)])
    const call = (node: RunningNode, method: string, path: string, body?: unknown, token = adminToken) =>
      api(node, token, method, path, body)
    const keyOf = (user: string) => join(root, `${user}-key`)
    for (const user of ["alice", "bob", "stranger"]) {
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${user}@test`, "-f", keyOf(user)])
    }
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "in-the-agent@test", "-f", join(root, "agent-key")])
    await eventually("the test's ssh-agent listening", async () => (existsSync(agentSocket) ? true : undefined), 10_000)
    execFileSync("ssh-add", ["-q", join(root, "agent-key")], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket } })
    for (const user of ["alice", "bob"]) {
      await call(origin, "POST", "/api/users", { name: user, role: "user" })
      await call(origin, "POST", "/api/ssh-keys", { user, publicKey: readFileSync(`${keyOf(user)}.pub`, "utf8") })
    }
    const added = await call(origin, "POST", "/api/leaves", { name: "laptop", users: ["alice"] })
    const { credential } = added.body as { readonly credential: string }
    const leaf: SshNode = {
      ...prepareNode(
        root,
        { name: "leaf", port: leafApi, mode: "leaf", extra: `[leaf]\norigin = "${originKey}"\ncredential = "${credential}"\n${sshSection(leafSsh)}` },
        cluster
      ),
      sshPort: leafSsh,
      id: ""
    }
    nodes.push(leaf)
    await startNode(leaf, env)
    for (const node of nodes) {
      node.id = ((await call(node, "GET", "/health")).body as { readonly node: string }).node
    }
    const aliceToken = ((await call(origin, "POST", "/api/tokens", { user: "alice" })).body as { readonly secret: string }).secret
    await call(origin, "POST", "/api/templates", spaceTemplate)
    await call(origin, "POST", "/api/templates", { ...spaceTemplate, name: "bare-shell", image: testImage, command: ["sleep", "3600"] })
    await call(origin, "POST", "/api/spaces", { name: "sshdev", template: "ssh-shell" }, aliceToken)
    await call(origin, "POST", "/api/spaces", { name: "sshbare", template: "bare-shell" }, aliceToken)
    const running = (name: string) =>
      eventually(`alice/${name} running`, async () => {
        const space = (await call(origin, "GET", `/api/spaces/alice/${name}`)).body as { readonly observed?: string; readonly node?: string }
        return space.observed === "running" ? space : undefined
      }, 90_000)
    const dev = await running("sshdev")
    await running("sshbare")
    const owner = dev.node === origin.id ? origin : peer
    const other = owner === origin ? peer : origin
    return { root, origin, peer, leaf, keyOf, aliceToken, agentSocket, owner, other, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
