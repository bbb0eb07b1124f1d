/**
 * Backup and restore with real processes: a running cluster node's store is backed up with
 * `knot admin backup`, restored into a new data directory with `knot admin restore`, and a
 * node started on it holds the same records under the same node id.
 */
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import createTestnet from "hyperdht/testnet"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { api, prepareNode, type RunningNode, startNode, stopNode } from "../leaf/leafHarness.ts"

const run = promisify(execFile)
const knotBin = new URL("../../bin/knot.js", import.meta.url).pathname
const adminToken = "knot-backup-admin-token-0123456789abcdef"

describe("backup and restore of a cluster node", { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "knot-backup-"))
  const port = 4900 + Math.floor(Math.random() * 400)
  let testnet: Awaited<ReturnType<typeof createTestnet>>
  let cluster: { readonly key: string; readonly bootstrap: ReadonlyArray<string> }
  let original: RunningNode

  const knot = (args: ReadonlyArray<string>, node?: RunningNode) =>
    run(process.execPath, [knotBin, ...args], {
      env: { ...process.env, ...(node === undefined ? {} : { KNOT_SERVER: node.url, KNOT_TOKEN: adminToken }), KNOT_CONFIG: join(root, "cli.toml") }
    })

  const snapshotOf = async (node: RunningNode) => ({
    node: ((await api(node, adminToken, "GET", "/health")).body as { readonly node: string }).node,
    templates: ((await api(node, adminToken, "GET", "/api/templates")).body as ReadonlyArray<{ readonly name: string }>).map((t) => t.name),
    users: ((await api(node, adminToken, "GET", "/api/users")).body as ReadonlyArray<{ readonly name: string }>).map((u) => u.name)
  })

  beforeAll(async () => {
    testnet = await createTestnet(3, { host: "127.0.0.1" })
    cluster = { key: randomBytes(32).toString("hex"), bootstrap: testnet.bootstrap.map((node) => `${node.host}:${node.port}`) }
    original = prepareNode(root, { name: "original", port, mode: "cluster" }, cluster)
    await startNode(original, { KNOT_ADMIN_TOKEN: adminToken })
  }, 90_000)

  afterAll(async () => {
    await stopNode(original)
    await testnet?.destroy()
    rmSync(root, { recursive: true, force: true })
  })

  it("restores, from a backup of a live node, a node with the same id and the same records", async () => {
    await api(original, adminToken, "POST", "/api/templates", { name: "web", image: "busybox:latest" })
    await api(original, adminToken, "POST", "/api/users", { name: "ann", role: "user" })
    const before = await snapshotOf(original)
    const file = join(root, "original.backup")
    const backedUp = await knot(["admin", "backup", file], original)
    expect(backedUp.stdout).toMatch(new RegExp(`^backup of node ${before.node}: \\d+ entries written to `))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    await stopNode(original)

    const restored = prepareNode(root, { name: "restored", port: port + 1, mode: "cluster" }, cluster)
    rmSync(join(restored.dir, "data"), { recursive: true, force: true })
    const restoring = await knot(["admin", "restore", file, "--data-dir", join(restored.dir, "data")])
    expect(restoring.stdout).toContain(`restored node ${before.node}`)
    await startNode(restored, {})
    try {
      expect(await snapshotOf(restored)).toEqual(before)
    } finally {
      await stopNode(restored)
    }
  })

  it("refuses to restore into a directory that is not empty", async () => {
    const file = join(root, "original.backup")
    const refused = await knot(["admin", "restore", file, "--data-dir", original.dir]).catch((error: { stderr: string; code: number }) => error)
    expect("code" in refused && refused.code).toBe(1)
    expect("stderr" in refused && refused.stderr).toContain("is not empty; restore into a new directory")
  })
})
