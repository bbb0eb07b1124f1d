/**
 * Leaf mode with real processes on loopback: two cluster nodes and a leaf that follows one of
 * them (its origin). A template made on the cluster reaches the leaf; with the origin killed
 * and the leaf restarted offline, the leaf still starts a space from its cached template;
 * when the origin returns, the cluster lists that space.
 */
import { randomBytes } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Docker from "dockerode"
import { Effect } from "effect"
import { formatSecret, hashSecret, tokenIdOf } from "../../effects/http/auth/tokenSecret.ts"
import { NodeId } from "../../storage/record.ts"
import { RocksStore } from "../../storage/rocksStore.ts"
import createTestnet from "hyperdht/testnet"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineAvailable, engineSocket, noEngineNotice, testImage } from "../support/dockerEngine.ts"
import { cli } from "../streams/streamsSupport.ts"
import { api, eventually, prepareNode, presetKeyPair, type RunningNode, startNode, stopNode } from "./leafHarness.ts"

const available = await engineAvailable()
if (!available) console.log(noEngineNotice("the leaf integration test"))

const adminToken = "knot-leaf-admin-token-0123456789abcdef"
const env = { KNOT_ADMIN_TOKEN: adminToken }
const template = "leaf-shell"
const space = "leaf-dev"

interface Listed {
  readonly name: string
  readonly node: string
}

describe.runIf(available)("a leaf with two cluster nodes, on loopback", { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "knot-leaf-"))
  const docker = new Docker({ socketPath: engineSocket })
  const base = 4400 + Math.floor(Math.random() * 400)
  let testnet: Awaited<ReturnType<typeof createTestnet>>
  let origin: RunningNode
  let peer: RunningNode
  let leaf: RunningNode
  /** Writes the leaf's config with `credential` (its data directory stays). */
  let prepareLeaf: (credential: string) => RunningNode
  /** A token of bea, whom the leaf serves until it is added again without her. */
  let beaToken: string

  /** The containers of the space shown as `name`: the engine names them `knot.<name>.<creation id>.<generation>`. */
  const containersOf = (name: string) => docker.listContainers({ all: true, filters: { name: [`^/knot\\.${name}\\.`] } })
  const call = (node: RunningNode, method: string, path: string, body?: unknown) => api(node, adminToken, method, path, body)
  const originState = async () => {
    const nodes = await call(leaf, "GET", "/api/nodes")
    return (nodes.body as { readonly origin?: { readonly state: string } }).origin?.state
  }

  beforeAll(async () => {
    testnet = await createTestnet(3, { host: "127.0.0.1" })
    const cluster = {
      key: randomBytes(32).toString("hex"),
      bootstrap: testnet.bootstrap.map((node) => `${node.host}:${node.port}`)
    }
    origin = prepareNode(root, { name: "origin", port: base, mode: "cluster" }, cluster)
    const originKey = presetKeyPair(join(origin.dir, "data"))
    peer = prepareNode(root, { name: "peer", port: base + 1, mode: "cluster" }, cluster)
    await Promise.all([startNode(origin, env), startNode(peer, env)])
    // Bea is served at first; Cleo only once the leaf is added again, and her records are
    // older than every watermark the leaf will hold by then.
    for (const name of ["bea", "cleo"]) {
      const created = await call(origin, "POST", "/api/users", { name })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
    }
    const issued = await call(origin, "POST", "/api/tokens", { user: "bea" })
    expect(issued.status, JSON.stringify(issued.body)).toBe(201)
    beaToken = (issued.body as { readonly secret: string }).secret
    const added = await call(origin, "POST", "/api/leaves", { name: "laptop", users: ["admin", "bea"] })
    expect(added.status, JSON.stringify(added.body)).toBe(201)
    prepareLeaf = (credential: string) =>
      prepareNode(
        root,
        { name: "leaf", port: base + 2, mode: "leaf", extra: `[leaf]\norigin = "${originKey}"\ncredential = "${credential}"` },
        cluster
      )
    leaf = prepareLeaf((added.body as { readonly credential: string }).credential)
    await startNode(leaf, env)
  }, 90_000)

  afterAll(async () => {
    await Promise.all([origin, peer, leaf].filter((node) => node !== undefined).map((node) => stopNode(node)))
    for (const name of [space, "on-leaf", "on-cluster"]) {
      for (const container of await containersOf(name)) await docker.getContainer(container.Id).remove({ force: true })
    }
    await testnet?.destroy()
    rmSync(root, { recursive: true, force: true })
  })

  it("receives a template created on the cluster", async () => {
    const created = await call(peer, "POST", "/api/templates", {
      name: template,
      image: testImage,
      command: ["sleep", "3600"],
      env: {},
      volumes: [],
      zones: []
    })
    expect(created.status, JSON.stringify(created.body)).toBeLessThan(300)
    const names = await eventually("the template on the leaf", async () => {
      const listed = await call(leaf, "GET", "/api/templates")
      const names = listed.status === 200 ? (listed.body as ReadonlyArray<{ readonly name: string }>).map((t) => t.name) : []
      return names.includes(template) ? names : undefined
    })
    expect(names).toContain(template)
  })

  it("refuses a template edit on the leaf, naming its origin", async () => {
    const refused = await call(leaf, "DELETE", `/api/templates/${template}`)
    expect(refused.status).toBeGreaterThanOrEqual(400)
    expect(JSON.stringify(refused.body)).toMatch(/origin/)
  })

  it("carries an exec from a cluster node into a space on the leaf, through the origin", async () => {
    const created = await call(leaf, "POST", "/api/spaces", { name: "on-leaf", template })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    // peer -> origin -> leaf: peer learns from the leaf's node record which node links it.
    const ran = await eventually("an exec through peer into the leaf's space", async () => {
      const result = await cli(peer.url, adminToken, ["space", "exec", "on-leaf", "--", "echo", "from-the-leaf"])
      return result.code === 0 ? result.stdout : undefined
    })
    expect(ran).toBe("from-the-leaf\n")
    const direct = await cli(origin.url, adminToken, ["space", "exec", "on-leaf", "--", "sh", "-c", "exit 6"])
    expect(direct.code, direct.stderr).toBe(6)
  })

  it("carries an exec from the leaf into a space on a cluster node", async () => {
    const leafId = ((await call(leaf, "GET", "/api/nodes")).body as { readonly self: string }).self
    const created = await call(peer, "POST", "/api/spaces", { name: "on-cluster", template })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect((created.body as Listed).node).not.toBe(leafId)
    const ran = await eventually("an exec from the leaf into the cluster's space", async () => {
      const result = await cli(leaf.url, adminToken, ["space", "exec", "on-cluster", "--", "echo", "from-the-cluster"])
      return result.code === 0 ? result.stdout : undefined
    })
    expect(ran).toBe("from-the-cluster\n")
  })

  it("is listed by the other cluster node with its link as the origin sees it, which turns when the leaf goes offline", async () => {
    const idOf = async (node: RunningNode) => ((await call(node, "GET", "/health")).body as { readonly node: string }).node
    const [leafId, originId] = [await idOf(leaf), await idOf(origin)]
    interface Listed {
      readonly id: string
      readonly mode: string
      readonly state: string
      readonly via?: string
    }
    const onPeer = async () =>
      ((await call(peer, "GET", "/api/nodes")).body as { readonly members: ReadonlyArray<Listed> }).members.find((member) => member.id === leafId)
    expect(await eventually("the leaf alive on the other cluster node", async () => {
      const listed = await onPeer()
      return listed?.state === "alive" ? listed : undefined
    })).toMatchObject({ mode: "leaf", via: originId })
    const status = await cli(peer.url, adminToken, ["cluster", "status"])
    expect(status.stdout.split("\n").find((line) => line.includes(leafId))).toMatch(/leaf\s+alive\b.*\bvia \S+/)
    await stopNode(leaf)
    try {
      const gone = await eventually("the leaf's link down on the other cluster node", async () => {
        const listed = await onPeer()
        return listed !== undefined && listed.state !== "alive" ? listed : undefined
      }, 60_000)
      expect(gone.state).toMatch(/^(suspect|dead)$/)
    } finally {
      await startNode(leaf, env)
      await eventually("the leaf linked again", async () => ((await originState()) === "connected" ? true : undefined), 60_000)
    }
  })

  it("reports its origin unreachable once the origin is killed", async () => {
    await stopNode(origin, "SIGKILL")
    const state = await eventually("the origin link to drop", async () => ((await originState()) === "unreachable" ? "unreachable" : undefined))
    expect(state).toBe("unreachable")
  })

  it("starts a space from its cached template after restarting offline", async () => {
    await stopNode(leaf)
    await startNode(leaf, env)
    expect(await originState()).toBe("unreachable")
    const created = await call(leaf, "POST", "/api/spaces", { name: space, template })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const state = await eventually("the space's container to run", async () => {
      const [container] = await containersOf(space)
      return container?.State === "running" ? container.State : undefined
    })
    expect(state).toBe("running")
  })

  it("shows the space on the cluster once the origin returns", async () => {
    await startNode(origin, env)
    const leafId = ((await call(leaf, "GET", "/api/nodes")).body as { readonly self: string }).self
    const relinked = await eventually("the leaf to relink", async () => ((await originState()) === "connected" ? "connected" : undefined), 90_000)
    expect(relinked).toBe("connected")
    const listed = await eventually("the cluster to list the leaf's space", async () => {
      const spaces = await call(peer, "GET", "/api/spaces")
      const found = spaces.status === 200 ? (spaces.body as ReadonlyArray<Listed>).find((s) => s.name === space) : undefined
      return found
    }, 90_000)
    expect(listed.node).toBe(leafId)
  })

  it("keeps an admin, a token and a template forged into the leaf's store off every cluster node", async () => {
    await stopNode(leaf)
    const leafId = readFileSync(join(leaf.dir, "data", "node-id"), "utf8").trim()
    const secret = formatSecret(randomBytes(8), randomBytes(24)).secret
    await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(RocksStore.make({ directory: join(leaf.dir, "data", "db"), nodeId: NodeId.make(leafId), maxDriftMs: 60_000 }), (store) =>
          Effect.all([
            store.put("user", "mallory", { name: "mallory", role: "admin" }),
            store.put("token", tokenIdOf(secret), { user: "mallory", hash: hashSecret(secret), createdAt: Date.now() }),
            store.put("template", "forged", { name: "forged", image: testImage, command: ["sh"], env: {}, volumes: [], zones: [] })
          ]))
      )
    )
    await startNode(leaf, env)
    await eventually("the origin to refuse the forged kinds", async () =>
      ["user", "token", "template"].every((kind) => origin.output.includes(`refused ${kind} records from peer ${leafId} (leaf laptop)`))
        ? true
        : undefined, 60_000)
    for (const node of [origin, peer]) {
      const users = (await call(node, "GET", "/api/users")).body as ReadonlyArray<{ readonly name: string }>
      const templates = (await call(node, "GET", "/api/templates")).body as ReadonlyArray<{ readonly name: string }>
      expect(users.map((user) => user.name)).not.toContain("mallory")
      expect(templates.map((found) => found.name)).not.toContain("forged")
    }
    expect((await api(origin, secret, "GET", "/api/users/me")).status).toBe(401)
    const health = (await call(origin, "GET", "/health")).body as { readonly refused: number }
    expect(health.refused).toBeGreaterThanOrEqual(3)
  })

  it("stops signing in a token on the leaf once it is revoked on the cluster", async () => {
    const issued = await call(peer, "POST", "/api/tokens", { name: "laptop-only" })
    expect(issued.status, JSON.stringify(issued.body)).toBe(201)
    const { id, secret } = issued.body as { readonly id: string; readonly secret: string }
    const asHolder = async () => (await api(leaf, secret, "GET", "/api/users/me")).status
    expect(await eventually("the token signing in on the leaf", async () => ((await asHolder()) === 200 ? true : undefined))).toBe(true)
    const revoked = await call(peer, "DELETE", `/api/tokens/${id}`)
    expect(revoked.status, JSON.stringify(revoked.body)).toBeLessThan(300)
    expect(await eventually("the leaf refusing the revoked token", async () => ((await asHolder()) === 401 ? true : undefined))).toBe(true)
  })

  it("closes the leaf's link within 5 s of knot leaf revoke, and the leaf says why", async () => {
    const revoked = await call(peer, "POST", "/api/leaves/laptop/revoke")
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200)
    const started = Date.now()
    const origin = await eventually("the leaf to say it was refused", async () => {
      const nodes = await call(leaf, "GET", "/api/nodes")
      const link = (nodes.body as { readonly origin?: { readonly state: string; readonly refused?: string } }).origin
      return link?.state === "unreachable" && link.refused !== undefined ? link : undefined
    })
    console.log(`revoked on another cluster node: the leaf's link closed after ${Date.now() - started} ms`)
    expect(origin.refused).toBe("leaf laptop's credential was revoked")
  })

  /** The accounts the leaf serves, as its admin lists them. */
  const users = async () => {
    const listed = await call(leaf, "GET", "/api/users")
    return listed.status === 200 ? (listed.body as ReadonlyArray<{ readonly name: string }>).map((user) => user.name) : []
  }
  const asBea = async () => (await api(leaf, beaToken, "GET", "/api/users/me")).status

  it("serves the users it is added again with: one it did not serve is sent her older records, one left out signs in no more", async () => {
    // Revoked by the test before, the leaf still signs its users in from its store.
    expect(await asBea()).toBe(200)
    expect(await users()).not.toContain("cleo")
    const added = await call(origin, "POST", "/api/leaves", { name: "laptop", users: ["admin", "cleo"] })
    expect(added.status, JSON.stringify(added.body)).toBe(201)
    await stopNode(leaf)
    leaf = prepareLeaf((added.body as { readonly credential: string }).credential)
    await startNode(leaf, env)
    // The origin refuses for a minute a peer whose hello failed, as the revoked credential's did.
    const cleoServed = await eventually("cleo's account on the leaf", async () => ((await users()).includes("cleo") ? true : undefined), 90_000)
    expect(cleoServed).toBe(true)
    expect(await eventually("the leaf refusing bea's token", async () => ((await asBea()) === 401 ? true : undefined))).toBe(true)
    expect((await users()).sort()).toEqual(["admin", "cleo"])
    expect(leaf.output).toMatch(/leaf laptop's record on the cluster changed/)
    // Bea's account and token leave the laptop's disk, not only its sign-in.
    const removed = /removing (\d+) records it no longer needs/.exec(leaf.output)
    expect(Number(removed?.[1] ?? 0)).toBeGreaterThanOrEqual(2)
  }, 150_000)

  it("takes a change of its users made in place on another cluster node, with no new credential or restart", async () => {
    const changed = await call(peer, "PATCH", "/api/leaves/laptop", { users: ["admin", "bea", "cleo"] })
    expect(changed.status, JSON.stringify(changed.body)).toBe(200)
    // Bea's account and token come back from the cluster, and her token signs her in again.
    expect(await eventually("bea's token on the leaf", async () => ((await asBea()) === 200 ? true : undefined), 30_000)).toBe(true)
    expect((await users()).sort()).toEqual(["admin", "bea", "cleo"])
  }, 60_000)
})
