import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Stream, SubscriptionRef, TestClock } from "effect"
import { makeActorSystem } from "../../actors/runtime/index.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { Delta, NodeId, StoredRecord, Version } from "../../storage/record.ts"
import { CorruptRecord } from "../../storage/store.errors.ts"
import { Store, type StoreShape } from "../../storage/store.ts"
import { antiEntropyBehaviour, type AntiEntropyOptions } from "../../transport/gossip/antiEntropy.actor.ts"
import { defaultGossipConfig } from "../../transport/gossip/gossip.config.ts"
import { GossipEvent } from "../../transport/gossip/gossip.events.ts"
import { readRefusedRecords } from "../../transport/gossip/gossipMetrics.ts"
import { type AntiEntropyMessage, decodeGossip, type GossipMessage } from "../../transport/gossip/gossip.wire.ts"
import { type LeafScope, shareWithLeaf } from "../../transport/gossip/leafAuthority.ts"
import { makeMembershipView } from "../../transport/gossip/membershipView.ts"
import { Transport, type TransportShape } from "../../transport/transport.ts"

const origin = "n-origin00001"
const leaf = "n-leaf0000001"
const scope: LeafScope = { name: "laptop", node: leaf, users: new Set(["alice"]), zone: "edge" }

const space = (owner: string, node: string) => ({
  name: `${owner}-dev`,
  owner,
  template: "shell",
  node,
  zone: "edge",
  desired: "running",
  generation: 0
})
const template = (name: string, zones: ReadonlyArray<string>) => ({ name, image: "busybox", zones, env: {}, volumes: [] })

/**
 * An anti-entropy actor on `self`, with `peer` an alive member, over a store of its own; `sent`
 * holds the frames it sends, decoded.
 */
const antiEntropyNode = (self: string, peer: string, options: Partial<AntiEntropyOptions>) =>
  Effect.gen(function*() {
    const sent: Array<{ readonly to: string; readonly message: GossipMessage }> = []
    const events: Array<GossipEvent> = []
    const transport: TransportShape = {
      self,
      send: (to, bytes) =>
        Effect.sync(() => void sent.push({ to, message: Either.getOrThrow(decodeGossip(bytes, self, defaultGossipConfig)) })),
      incoming: Stream.never,
      peerEvents: Stream.never,
      connected: Effect.succeed([peer]),
      drop: () => Effect.void
    }
    const { store } = yield* MemoryStore.make({ nodeId: self as NodeId, maxDriftMs: 60_000 })
    const view = yield* makeMembershipView(self, "edge")
    yield* SubscriptionRef.update(view, (snapshot) => ({
      ...snapshot,
      members: new Map([[peer, { node: peer, zone: "edge", state: "alive" as const, incarnation: 0, changedAt: 0 }]])
    }))
    const system = yield* Effect.acquireRelease(makeActorSystem, (system) => system.shutdown)
    const actor = yield* system.spawn(
      antiEntropyBehaviour({
        config: defaultGossipConfig,
        view,
        onEvent: (event) => Effect.sync(() => void events.push(event)),
        ...options
      }),
      { name: "anti-entropy" }
    ).pipe(Effect.provideService(Transport, transport), Effect.provideService(Store, store))
    const deliver = (from: string, message: AntiEntropyMessage) =>
      Effect.zipRight(actor.tell({ _tag: "Received", from, message }), Effect.repeatN(Effect.yieldNow(), 50))
    return { store, sent, events, deliver }
  })

/**
 * The origin's anti-entropy actor, with `leaf` linked as leaf "laptop" (its scope as `scopeNow`
 * gives it at each frame) and "n-member00001" a cluster member.
 */
const originNodeServing = (scopeNow: () => LeafScope) =>
  Effect.tap(
    antiEntropyNode(origin, leaf, { leafScope: (peer) => Effect.sync(() => (peer === leaf ? scopeNow() : undefined)) }),
    () => TestClock.adjust(defaultGossipConfig.antiEntropyIntervalMs)
  )
const originNode = originNodeServing(() => scope)

/** One anti-entropy exchange opened by the leaf: its digest to the origin, and the deltas sent back applied to its store. */
const exchangeWithLeaf = (node: Effect.Effect.Success<typeof originNode>, leafStore: StoreShape) =>
  Effect.gen(function*() {
    node.sent.length = 0
    yield* node.deliver(leaf, { _tag: "Digest", digest: yield* leafStore.digest })
    for (const sent of node.sent) {
      if (sent.to === leaf && sent.message._tag === "Delta") yield* leafStore.applyDelta(sent.message.delta)
    }
  })

/** What the origin sends the leaf in answer to a digest of nothing: every record it shares with it. */
const sentToLeaf = (node: Effect.Effect.Success<typeof originNode>) =>
  Effect.gen(function*() {
    node.sent.length = 0
    yield* node.deliver(leaf, { _tag: "Digest", digest: {} })
    return node.sent.flatMap((sent): ReadonlyArray<StoredRecord> =>
      sent.to === leaf && sent.message._tag === "Delta" ? sent.message.delta.records : [])
  })

/** Records written by `node`, as its store would send them. */
const writtenBy = (node: string, writes: (store: StoreShape) => Effect.Effect<unknown, unknown>) =>
  Effect.gen(function*() {
    const { store } = yield* MemoryStore.make({ nodeId: node as NodeId, maxDriftMs: 60_000 })
    yield* Effect.orDie(writes(store))
    return yield* store.since({})
  })

/** What a compromised leaf sends: an admin, a token, a template, a leaf, a space of bob, and its own node record. */
const forged = writtenBy(leaf, (store) =>
  Effect.all([
    store.put("user", "mallory", { name: "mallory", role: "admin" }),
    store.put("token", "t-forged", { user: "mallory", hash: "ab".repeat(32), createdAt: 1 }),
    store.put("template", "evil", template("evil", [])),
    store.put("leaf", "other", { users: ["bob"], verifier: "cd".repeat(32), createdAt: 1 }),
    store.put("space", "bob-space", space("bob", leaf)),
    store.put("node", leaf, { zone: "edge", mode: "leaf", startedAt: 1 })
  ]))

const kindsRefused = (events: ReadonlyArray<GossipEvent>) =>
  events.flatMap((event) => (event._tag === "RecordsRefused" ? [`${event.peer}: ${event.kind}`] : [])).sort()

describe("a leaf's authority, at its origin", () => {
  it.scoped("stores none of a compromised leaf's records outside its authority, and its own node record", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      yield* node.deliver(leaf, { _tag: "Delta", delta: yield* forged })
      for (const [kind, id] of [["user", "mallory"], ["token", "t-forged"], ["template", "evil"], ["leaf", "other"], ["space", "bob-space"]]) {
        expect([kind, yield* node.store.get(kind!, id!)]).toEqual([kind, undefined])
      }
      expect((yield* node.store.get("node", leaf))?.value).toMatchObject({ mode: "leaf" })
    }))

  it.scoped("reports each refused kind once, naming the leaf, and counts every refused record", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      const delta = yield* forged
      const before = yield* readRefusedRecords(origin)
      yield* node.deliver(leaf, { _tag: "Delta", delta })
      yield* node.deliver(leaf, { _tag: "Push", records: delta.records, hops: 2, until: origin })
      expect(kindsRefused(node.events)).toEqual(
        ["leaf", "space", "template", "token", "user"].map((kind) => `${leaf} (leaf laptop): ${kind}`)
      )
      expect((yield* readRefusedRecords(origin)) - before).toBe(10)
    }))

  it.scoped("takes a space of a user it serves, placed on it, with its status in the same delta", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      const delta = yield* writtenBy(leaf, (store) =>
        Effect.zipRight(store.put("space", "alice-space", space("alice", leaf)), store.put("space-status", "alice-space", { observed: "running" })))
      yield* node.deliver(leaf, { _tag: "Delta", delta })
      expect((yield* node.store.get("space", "alice-space"))?.value).toMatchObject({ owner: "alice" })
      expect((yield* node.store.get("space-status", "alice-space"))?.value).toEqual({ observed: "running" })
    }))

  it.scoped("takes the deletion of a space placed on it together with its state", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      const leafStore = (yield* MemoryStore.make({ nodeId: leaf as NodeId, maxDriftMs: 60_000 })).store
      yield* leafStore.put("space", "alice-space", space("alice", leaf))
      yield* leafStore.put("space-status", "alice-space", { observed: "running" })
      yield* node.deliver(leaf, { _tag: "Delta", delta: yield* leafStore.since({}) })
      const seen = yield* node.store.digest
      yield* leafStore.batch([
        { _tag: "Delete", kind: "space", id: "alice-space" },
        { _tag: "Delete", kind: "space-status", id: "alice-space" }
      ])
      yield* node.deliver(leaf, { _tag: "Delta", delta: yield* leafStore.since(seen) })
      expect((yield* node.store.get("space", "alice-space"))?.deleted).toBe(true)
      expect((yield* node.store.get("space-status", "alice-space"))?.deleted).toBe(true)
    }))

  it.scoped("refuses the status of a space not placed on it, and a record written in another node's name", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      yield* node.store.put("space", "bob-space", space("bob", origin))
      const status = yield* writtenBy(leaf, (store) => store.put("space-status", "bob-space", { observed: "failed", reason: "x" }))
      const impersonation = yield* writtenBy("n-member00001", (store) => store.put("user", "eve", { name: "eve", role: "admin" }))
      yield* node.deliver(leaf, { _tag: "Delta", delta: status })
      yield* node.deliver(leaf, { _tag: "Delta", delta: impersonation })
      expect(yield* node.store.get("space-status", "bob-space")).toBeUndefined()
      expect(yield* node.store.get("user", "eve")).toBeUndefined()
    }))

  it.scoped("refuses its own node record when it claims to be a cluster node", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      const claim = yield* writtenBy(leaf, (store) =>
        store.put("node", leaf, { zone: "edge", mode: "cluster", startedAt: 1, leaves: [{ id: "n-other000001", state: "alive", since: 1 }] }))
      yield* node.deliver(leaf, { _tag: "Delta", delta: claim })
      expect(yield* node.store.get("node", leaf)).toBeUndefined()
      expect(kindsRefused(node.events)).toEqual([`${leaf} (leaf laptop): node`])
    }))

  it.scoped("takes a leaf's watermark for its own writes only", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      const own = yield* writtenBy(leaf, (store) => store.put("node", leaf, { zone: "edge", mode: "leaf", startedAt: 1 }))
      const claimed = { ...own.upTo, "n-member00001": own.upTo[leaf]! }
      yield* node.deliver(leaf, { _tag: "Delta", delta: new Delta({ records: own.records, upTo: claimed }) })
      const digest = yield* node.store.digest
      expect(Object.keys(digest).sort()).toEqual([leaf])
    }))

  it.scoped("takes no watermark from a leaf whose record does not read, so that it sends its refused writes again once it does", () =>
    Effect.gen(function*() {
      let current: LeafScope = { ...scope, users: new Set(), unread: true }
      const node = yield* originNodeServing(() => current)
      const leafStore = (yield* MemoryStore.make({ nodeId: leaf as NodeId, maxDriftMs: 60_000 })).store
      yield* leafStore.put("space", "alice-space", space("alice", leaf))
      yield* node.deliver(leaf, { _tag: "Delta", delta: yield* leafStore.since({}) })
      expect(yield* node.store.get("space", "alice-space")).toBeUndefined()
      expect(Object.keys(yield* node.store.digest)).toEqual([])

      current = scope
      yield* node.deliver(leaf, { _tag: "Delta", delta: yield* leafStore.since(yield* node.store.digest) })
      expect((yield* node.store.get("space", "alice-space"))?.value).toMatchObject({ owner: "alice" })
      expect(Object.keys(yield* node.store.digest)).toEqual([leaf])
    }))

  it.scoped("takes a leaf's watermark past a write refused for good", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      const bobs = yield* writtenBy(leaf, (store) => store.put("space", "bob-space", space("bob", leaf)))
      yield* node.deliver(leaf, { _tag: "Delta", delta: bobs })
      expect(yield* node.store.get("space", "bob-space")).toBeUndefined()
      expect(Object.keys(yield* node.store.digest)).toEqual([leaf])
    }))

  it.scoped("takes the same records from a cluster member, a peer of equal trust", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      yield* node.deliver("n-member00001", { _tag: "Delta", delta: yield* forged })
      expect(yield* node.store.get("user", "mallory")).toBeDefined()
    }))

  it.scoped("sends the leaf only its own leaf record, its zone's templates, its users and their tokens, and their spaces, and other zones' templates as tombstones", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      yield* Effect.all([
        node.store.put("template", "everywhere", template("everywhere", [])),
        node.store.put("template", "edge-only", template("edge-only", ["edge"])),
        node.store.put("template", "elsewhere", template("elsewhere", ["us-east"])),
        node.store.put("user", "alice", { name: "alice", role: "user" }),
        node.store.put("user", "bob", { name: "bob", role: "admin" }),
        node.store.put("token", "t-alice", { user: "alice", hash: "ab".repeat(32), createdAt: 1 }),
        node.store.put("token", "t-bob", { user: "bob", hash: "cd".repeat(32), createdAt: 1 }),
        node.store.put("leaf", "laptop", { users: ["alice"], verifier: "ef".repeat(32), createdAt: 1 }),
        node.store.put("leaf", "desktop", { users: ["bob"], verifier: "ab".repeat(32), createdAt: 1 }),
        node.store.put("space", "alice-space", space("alice", origin)),
        node.store.put("space", "bob-space", space("bob", origin)),
        node.store.put("space-status", "bob-space", { observed: "running" }),
        node.store.put("node", origin, { zone: "edge", mode: "cluster", startedAt: 1 })
      ])
      const records = yield* sentToLeaf(node)
      expect(records.map((record) => `${record.kind}/${record.id}${record.deleted ? " (tombstone)" : ""}`).sort()).toEqual([
        "leaf/laptop",
        "node/n-origin00001",
        "space/alice-space",
        "template/edge-only",
        "template/elsewhere (tombstone)",
        "template/everywhere",
        "token/t-alice",
        "user/alice"
      ])
      expect(records.find((record) => record.id === "elsewhere")?.value).toBeNull()
    }))

  it.scoped("makes the leaf drop a template once it is limited to other zones", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      const leafStore = (yield* MemoryStore.make({ nodeId: leaf as NodeId, maxDriftMs: 60_000 })).store
      const exchange = exchangeWithLeaf(node, leafStore)
      yield* node.store.put("template", "web", template("web", []))
      yield* exchange
      expect((yield* leafStore.list("template")).map((record) => record.id)).toEqual(["web"])
      yield* node.store.put("template", "web", template("web", ["us-east"]))
      yield* exchange
      expect(yield* leafStore.list("template")).toEqual([])
      expect(yield* leafStore.digest).toEqual(yield* node.store.digest)
    }))

  it.scoped("makes the leaf drop a token revoked on the cluster, so that it no longer signs anyone in", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      const leafStore = (yield* MemoryStore.make({ nodeId: leaf as NodeId, maxDriftMs: 60_000 })).store
      const exchange = exchangeWithLeaf(node, leafStore)
      yield* node.store.put("token", "t-alice", { user: "alice", hash: "ab".repeat(32), createdAt: 1 })
      yield* exchange
      expect((yield* leafStore.get("token", "t-alice"))?.deleted).toBe(false)
      yield* node.store.delete("token", "t-alice")
      yield* exchange
      expect((yield* leafStore.get("token", "t-alice"))?.deleted).toBe(true)
    }))

  it.scoped("withholds another leaf's record, revoked or not", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      yield* node.store.put("leaf", "desktop", { users: ["bob"], verifier: "ab".repeat(32), createdAt: 1 })
      yield* node.store.delete("leaf", "desktop")
      const records = yield* sentToLeaf(node)
      expect(records.filter((record) => record.kind === "leaf")).toEqual([])
    }))

  it.scoped("sends a space's state that arrived before its space once the space is here, never claiming it sent before", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      const leafStore = (yield* MemoryStore.make({ nodeId: leaf as NodeId, maxDriftMs: 60_000 })).store
      const exchange = exchangeWithLeaf(node, leafStore)
      // The node running the space reports its state; the space itself comes from another member, later.
      const runner = "n-runner00001"
      yield* node.deliver("n-member00001", {
        _tag: "Delta",
        delta: yield* writtenBy(runner, (store) => store.put("space-status", "alice-space", { observed: "running" }))
      })
      yield* exchange
      expect(yield* leafStore.get("space-status", "alice-space")).toBeUndefined()
      expect(Object.keys(yield* leafStore.digest)).not.toContain(runner)

      yield* node.deliver("n-member00001", {
        _tag: "Delta",
        delta: yield* writtenBy("n-member00001", (store) => store.put("space", "alice-space", space("alice", runner)))
      })
      yield* exchange
      expect((yield* leafStore.get("space-status", "alice-space"))?.value).toEqual({ observed: "running" })
      expect(yield* leafStore.digest).toEqual(yield* node.store.digest)
    }))
})

const session = (user: string) => ({ user, hash: "ab".repeat(32), createdAt: 1, expiresAt: 2 })
const password = (user: string) => ({ user, hash: `scrypt$16384$8$1$${"s".repeat(22)}$${"k".repeat(43)}`, setAt: 1 })

describe("a leaf's authority over passwords and sessions, at its origin", () => {
  it.scoped("takes a browser session of a user it serves, and its sign-out", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      const leafStore = (yield* MemoryStore.make({ nodeId: leaf as NodeId, maxDriftMs: 60_000 })).store
      yield* leafStore.put("session", "00000000000000a1", session("alice"))
      yield* node.deliver(leaf, { _tag: "Delta", delta: yield* leafStore.since({}) })
      expect((yield* node.store.get("session", "00000000000000a1"))?.value).toMatchObject({ user: "alice" })
      const seen = yield* node.store.digest
      yield* leafStore.delete("session", "00000000000000a1")
      yield* node.deliver(leaf, { _tag: "Delta", delta: yield* leafStore.since(seen) })
      expect((yield* node.store.get("session", "00000000000000a1"))?.deleted).toBe(true)
    }))

  it.scoped("refuses a session of a user it does not serve, and ending another user's session", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      yield* node.store.put("session", "00000000000000b2", session("bob"))
      const forgedSessions = yield* writtenBy(leaf, (store) =>
        Effect.all([store.put("session", "00000000000000b1", session("bob")), store.delete("session", "00000000000000b2")]))
      yield* node.deliver(leaf, { _tag: "Delta", delta: forgedSessions })
      expect(yield* node.store.get("session", "00000000000000b1")).toBeUndefined()
      expect((yield* node.store.get("session", "00000000000000b2"))?.deleted).toBe(false)
      expect(kindsRefused(node.events)).toEqual([`${leaf} (leaf laptop): session`])
    }))

  it.scoped("refuses a session that takes over another user's session id", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      yield* node.store.put("session", "00000000000000b3", session("bob"))
      yield* node.deliver(leaf, { _tag: "Delta", delta: yield* writtenBy(leaf, (store) => store.put("session", "00000000000000b3", session("alice"))) })
      expect((yield* node.store.get("session", "00000000000000b3"))?.value).toMatchObject({ user: "bob" })
    }))

  it.scoped("refuses every password record, its own users' included: passwords are set on the cluster", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      yield* node.store.put("password", "alice", password("alice"))
      const delta = yield* writtenBy(leaf, (store) =>
        Effect.all([store.put("password", "alice", { ...password("alice"), setAt: 2 }), store.put("password", "bob", password("bob"))]))
      yield* node.deliver(leaf, { _tag: "Delta", delta })
      expect((yield* node.store.get("password", "alice"))?.value).toMatchObject({ setAt: 1 })
      expect(yield* node.store.get("password", "bob")).toBeUndefined()
      expect(kindsRefused(node.events)).toEqual([`${leaf} (leaf laptop): password`])
    }))

  it.scoped("sends the leaf its users' passwords and sessions, no one else's", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      yield* Effect.all([
        node.store.put("password", "alice", password("alice")),
        node.store.put("password", "bob", password("bob")),
        node.store.put("session", "00000000000000a1", session("alice")),
        node.store.put("session", "00000000000000b1", session("bob"))
      ])
      const records = yield* sentToLeaf(node)
      expect(records.map((record) => `${record.kind}/${record.id}`).sort()).toEqual(["password/alice", "session/00000000000000a1"])
    }))

  it.scoped("sends the leaf its users' role and status, so that one disabled on the cluster is refused on it, no one else's", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      yield* Effect.all([
        node.store.put("user-role", "alice", { role: "admin" }),
        node.store.put("user-status", "alice", { disabled: true }),
        node.store.put("user-status", "bob", { disabled: true })
      ])
      const records = yield* sentToLeaf(node)
      expect(records.map((record) => `${record.kind}/${record.id}`).sort()).toEqual(["user-role/alice", "user-status/alice"])
    }))

  it.scoped("refuses a role or status from the leaf, its own users' included: they are set on the cluster", () =>
    Effect.gen(function*() {
      const node = yield* originNode
      const delta = yield* writtenBy(leaf, (store) =>
        Effect.all([store.put("user-role", "alice", { role: "admin" }), store.put("user-status", "alice", { disabled: false })]))
      yield* node.deliver(leaf, { _tag: "Delta", delta })
      expect(yield* node.store.get("user-role", "alice")).toBeUndefined()
      expect(yield* node.store.get("user-status", "alice")).toBeUndefined()
      expect(kindsRefused(node.events)).toEqual([`${leaf} (leaf laptop): user-role`, `${leaf} (leaf laptop): user-status`])
    }))
})

describe("what the origin shares with a leaf of a space's state", () => {
  const status = new StoredRecord({
    kind: "space-status",
    id: "alice-space",
    value: { observed: "running" },
    version: new Version({ wall: 1, counter: 0, node: NodeId.make("n-runner00001") }),
    deleted: false
  })
  const spaceOf = (owner: string) =>
    new StoredRecord({
      kind: "space",
      id: "alice-space",
      value: space(owner, "n-runner00001"),
      version: new Version({ wall: 1, counter: 0, node: NodeId.make("n-member00001") }),
      deleted: false
    })

  it.effect("sends it when the space is of a user the leaf serves, and withholds it otherwise", () =>
    Effect.gen(function*() {
      expect(yield* shareWithLeaf(scope, status, () => Effect.succeed(spaceOf("alice")))).toBe("send")
      expect(yield* shareWithLeaf(scope, status, () => Effect.succeed(spaceOf("bob")))).toBe("withhold")
    }))

  it.effect("waits while the space has not reached the origin", () =>
    Effect.gen(function*() {
      expect(yield* shareWithLeaf(scope, status, () => Effect.succeed(undefined))).toBe("wait")
    }))

  it.effect("withholds it, rather than waiting for ever, when the origin holds the space but cannot read it", () =>
    Effect.gen(function*() {
      const unreadable = () => Effect.fail(new CorruptRecord({ key: "r/space/alice-space", reason: "not JSON" }))
      expect(yield* shareWithLeaf(scope, status, unreadable)).toBe("withhold")
    }))
})

/** The leaf's anti-entropy actor: leaf "laptop", linked to `origin` alone. */
const leafNode = antiEntropyNode(leaf, origin, { ownLeaf: "laptop" })

/** One exchange opened by the leaf's digest, with what the origin sends back handled by the leaf's actor. */
const exchangeThroughLeaf = (
  originSide: Effect.Effect.Success<ReturnType<typeof originNodeServing>>,
  leafSide: Effect.Effect.Success<typeof leafNode>
) =>
  Effect.gen(function*() {
    originSide.sent.length = 0
    yield* originSide.deliver(leaf, { _tag: "Digest", digest: yield* leafSide.store.digest })
    for (const sent of [...originSide.sent]) {
      if (sent.to === leaf && sent.message._tag === "Delta") yield* leafSide.deliver(origin, sent.message)
    }
  })

const sharesChanged = (events: ReadonlyArray<GossipEvent>) => events.filter((event) => event._tag === "ShareChanged").length

/**
 * An origin serving the laptop for `users`, by the laptop's leaf record on it, and the laptop
 * once it holds that share.
 */
const laptopServing = (users: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    let current: LeafScope = { ...scope, users: new Set(users) }
    const node = yield* originNodeServing(() => current)
    const laptop = yield* leafNode
    /** `knot leaf add laptop --user …`: a new version of its record, which the origin goes by. */
    const add = (users: ReadonlyArray<string>, createdAt: number) =>
      Effect.gen(function*() {
        const written = yield* node.store.put("leaf", "laptop", { users, verifier: "ef".repeat(32), createdAt })
        current = { ...scope, users: new Set(users), version: written.version }
      })
    yield* add(users, 1)
    yield* exchangeThroughLeaf(node, laptop)
    return { node, laptop, add }
  })

describe("a leaf added again with another share", () => {
  it.scoped("is sent the records of a user it serves only since, though its watermarks were past them", () =>
    Effect.gen(function*() {
      let current = scope
      const node = yield* originNodeServing(() => current)
      const laptop = yield* leafNode
      yield* Effect.all([
        node.store.put("user", "alice", { name: "alice", role: "user" }),
        node.store.put("user", "bob", { name: "bob", role: "user" }),
        node.store.put("token", "t-bob", { user: "bob", hash: "cd".repeat(32), createdAt: 1 }),
        node.store.put("space", "bob-space", space("bob", origin)),
        node.store.put("leaf", "laptop", { users: ["alice"], verifier: "ef".repeat(32), createdAt: 1 })
      ])
      current = { ...scope, version: (yield* node.store.get("leaf", "laptop"))!.version }
      // The first exchange brings its own record, the second its share under it.
      yield* exchangeThroughLeaf(node, laptop)
      yield* exchangeThroughLeaf(node, laptop)
      expect((yield* laptop.store.list("user")).map((record) => record.id)).toEqual(["alice"])

      // `knot leaf revoke laptop`, then `knot leaf add laptop --user alice --user bob`.
      const added = yield* node.store.put("leaf", "laptop", { users: ["alice", "bob"], verifier: "ef".repeat(32), createdAt: 2 })
      current = { ...scope, users: new Set(["alice", "bob"]), version: added.version }
      yield* exchangeThroughLeaf(node, laptop)
      yield* exchangeThroughLeaf(node, laptop)
      expect((yield* laptop.store.list("user")).map((record) => record.id).sort()).toEqual(["alice", "bob"])
      expect((yield* laptop.store.get("token", "t-bob"))?.value).toMatchObject({ user: "bob" })
      expect((yield* laptop.store.get("space", "bob-space"))?.value).toMatchObject({ owner: "bob" })
      expect(sharesChanged(laptop.events)).toBe(2)
      expect(yield* laptop.store.digest).toEqual(yield* node.store.digest)
    }))

  it.scoped("removes what it held of a user it no longer serves, and keeps her spaces placed on it", () =>
    Effect.gen(function*() {
      const { add, laptop, node } = yield* laptopServing(["alice", "bob"])
      yield* Effect.all([
        node.store.put("user", "alice", { name: "alice", role: "user" }),
        node.store.put("user", "bob", { name: "bob", role: "user" }),
        node.store.put("token", "t-bob", { user: "bob", hash: "cd".repeat(32), createdAt: 1 }),
        node.store.put("password", "bob", password("bob")),
        node.store.put("space", "bob-space", space("bob", origin)),
        node.store.put("space", "bob-on-laptop", space("bob", leaf))
      ])
      yield* exchangeThroughLeaf(node, laptop)
      expect((yield* laptop.store.list("user")).map((record) => record.id).sort()).toEqual(["alice", "bob"])
      expect(yield* laptop.store.get("password", "bob")).toBeDefined()

      // `knot leaf revoke laptop`, then `knot leaf add laptop --user alice`.
      yield* add(["alice"], 2)
      yield* exchangeThroughLeaf(node, laptop)
      expect((yield* laptop.store.list("user")).map((record) => record.id)).toEqual(["alice"])
      for (const [kind, id] of [["token", "t-bob"], ["password", "bob"], ["space", "bob-space"]] as const) {
        expect(yield* laptop.store.get(kind, id)).toBeUndefined()
      }
      expect((yield* laptop.store.get("space", "bob-on-laptop"))?.value).toMatchObject({ owner: "bob", node: leaf })
      expect(laptop.events.at(-1)).toMatchObject({ _tag: "ShareChanged", evicted: 4 })
      yield* exchangeThroughLeaf(node, laptop)
      expect(yield* laptop.store.get("user", "bob")).toBeUndefined()
      expect(yield* laptop.store.digest).toEqual(yield* node.store.digest)
    }))

  it.scoped("takes nothing of a user it no longer serves from a frame of its old share that arrives late", () =>
    Effect.gen(function*() {
      const { add, laptop, node } = yield* laptopServing(["alice", "bob"])
      yield* node.store.put("user", "bob", { name: "bob", role: "user" })
      yield* exchangeThroughLeaf(node, laptop)
      yield* node.store.put("token", "t-bob", { user: "bob", hash: "cd".repeat(32), createdAt: 1 })
      const late = yield* node.store.since(yield* laptop.store.digest)
      expect(late.records.map((record) => record.id)).toContain("t-bob")

      yield* add(["alice"], 2)
      yield* exchangeThroughLeaf(node, laptop)
      yield* laptop.deliver(origin, { _tag: "Delta", delta: late })
      expect(yield* laptop.store.get("token", "t-bob")).toBeUndefined()
      expect(yield* laptop.store.get("user", "bob")).toBeUndefined()
    }))

  it.scoped("removes and refuses nothing while its own leaf record does not read", () =>
    Effect.gen(function*() {
      const laptop = yield* leafNode
      const { store: originStore } = yield* MemoryStore.make({ nodeId: origin as NodeId, maxDriftMs: 60_000 })
      yield* originStore.put("user", "bob", { name: "bob", role: "user" })
      yield* laptop.deliver(origin, { _tag: "Delta", delta: yield* originStore.since({}) })
      yield* originStore.put("leaf", "laptop", { users: "alice", verifier: "ef".repeat(32), createdAt: 1 })
      yield* originStore.put("token", "t-bob", { user: "bob", hash: "cd".repeat(32), createdAt: 1 })
      yield* laptop.deliver(origin, { _tag: "Delta", delta: yield* originStore.since(yield* laptop.store.digest) })
      expect(laptop.events.at(-1)).toMatchObject({ _tag: "ShareChanged", evicted: 0 })
      expect(yield* laptop.store.get("user", "bob")).toBeDefined()
      expect(yield* laptop.store.get("token", "t-bob")).toBeDefined()
    }))

  it.scoped("is sent a template of its new zone that it held as a tombstone of its old one", () =>
    Effect.gen(function*() {
      let current = scope
      const node = yield* originNodeServing(() => current)
      const laptop = yield* leafNode
      yield* node.store.put("template", "east-only", template("east-only", ["us-east"]))
      const first = yield* node.store.put("leaf", "laptop", { users: ["alice"], zone: "edge", verifier: "ef".repeat(32), createdAt: 1 })
      current = { ...scope, version: first.version }
      // The first exchange brings its own record, the second its share under it.
      yield* exchangeThroughLeaf(node, laptop)
      yield* exchangeThroughLeaf(node, laptop)
      expect((yield* laptop.store.get("template", "east-only"))?.deleted).toBe(true)

      const moved = yield* node.store.put("leaf", "laptop", { users: ["alice"], zone: "us-east", verifier: "ef".repeat(32), createdAt: 2 })
      current = { ...scope, zone: "us-east", version: moved.version }
      yield* exchangeThroughLeaf(node, laptop)
      yield* exchangeThroughLeaf(node, laptop)
      expect((yield* laptop.store.get("template", "east-only"))?.value).toMatchObject({ zones: ["us-east"] })
    }))

  it.scoped("takes no watermark from a reply to a digest it sent before it forgot", () =>
    Effect.gen(function*() {
      const laptop = yield* leafNode
      const { store: originStore } = yield* MemoryStore.make({ nodeId: origin as NodeId, maxDriftMs: 60_000 })
      yield* originStore.put("template", "web", template("web", []))
      yield* laptop.deliver(origin, { _tag: "Delta", delta: yield* originStore.since({}) })
      const before = yield* laptop.store.digest
      const { version: share } = yield* originStore.put("leaf", "laptop", { users: ["alice"], verifier: "ab".repeat(32), createdAt: 1 })
      yield* laptop.deliver(origin, { _tag: "Delta", delta: yield* originStore.since(before), share })
      expect(Object.keys(yield* laptop.store.digest)).toEqual([])
      // The origin's answer to the digest the leaf sent before it forgot: nothing below it, and its watermarks.
      yield* laptop.deliver(origin, { _tag: "Delta", delta: yield* originStore.since(before), share })
      expect(Object.keys(yield* laptop.store.digest)).toEqual([])
      yield* laptop.deliver(origin, { _tag: "Delta", delta: yield* originStore.since(yield* laptop.store.digest), share })
      expect(yield* laptop.store.digest).toEqual(yield* originStore.digest)
    }))

  it.scoped("takes no watermark from a delta judged by its record before, though it had none to forget", () =>
    Effect.gen(function*() {
      const { add, laptop, node } = yield* laptopServing(["alice"])
      // Added again: the laptop forgets every watermark and is sent its share anew.
      yield* add(["alice"], 2)
      yield* exchangeThroughLeaf(node, laptop)
      yield* node.store.put("user", "bob", { name: "bob", role: "user" })
      // The origin answers the laptop's digest under the share that leaves bob out...
      node.sent.length = 0
      yield* node.deliver(leaf, { _tag: "Digest", digest: yield* laptop.store.digest })
      const late = node.sent.flatMap((sent) => (sent.to === leaf && sent.message._tag === "Delta" ? [sent.message] : []))
      // ...and the laptop, added again for bob too, hears of it before that answer lands.
      yield* add(["alice", "bob"], 3)
      yield* laptop.deliver(origin, { _tag: "Push", records: [(yield* node.store.get("leaf", "laptop"))!], hops: 1 })
      for (const message of late) yield* laptop.deliver(origin, message)
      yield* exchangeThroughLeaf(node, laptop)
      expect(yield* laptop.store.get("user", "bob")).toBeDefined()
      expect(yield* laptop.store.digest).toEqual(yield* node.store.digest)
    }))

  it.scoped("keeps no tombstone of a template of its new zone from a frame judged before the change", () =>
    Effect.gen(function*() {
      let current = scope
      const node = yield* originNodeServing(() => current)
      const laptop = yield* leafNode
      const first = yield* node.store.put("leaf", "laptop", { users: ["alice"], zone: "edge", verifier: "ef".repeat(32), createdAt: 1 })
      current = { ...scope, version: first.version }
      yield* exchangeThroughLeaf(node, laptop)
      yield* exchangeThroughLeaf(node, laptop)
      yield* node.store.put("template", "east-only", template("east-only", ["us-east"]))
      // The origin answers the laptop's digest while the laptop is in zone edge: a tombstone...
      node.sent.length = 0
      yield* node.deliver(leaf, { _tag: "Digest", digest: yield* laptop.store.digest })
      const late = node.sent.flatMap((sent) => (sent.to === leaf && sent.message._tag === "Delta" ? [sent.message] : []))
      // ...which lands after the laptop moved to us-east and dropped the tombstones it held.
      const moved = yield* node.store.put("leaf", "laptop", { users: ["alice"], zone: "us-east", verifier: "ef".repeat(32), createdAt: 2 })
      current = { ...scope, zone: "us-east", version: moved.version }
      yield* laptop.deliver(origin, { _tag: "Push", records: [moved], hops: 1, share: moved.version })
      for (const message of late) yield* laptop.deliver(origin, message)
      yield* exchangeThroughLeaf(node, laptop)
      yield* exchangeThroughLeaf(node, laptop)
      expect((yield* laptop.store.get("template", "east-only"))?.value).toMatchObject({ zones: ["us-east"] })
    }))

  it.scoped("keeps its own deletes when its share changes", () =>
    Effect.gen(function*() {
      const laptop = yield* leafNode
      yield* laptop.store.put("space", "alice-space", space("alice", leaf))
      yield* laptop.store.delete("space", "alice-space")
      const { store: originStore } = yield* MemoryStore.make({ nodeId: origin as NodeId, maxDriftMs: 60_000 })
      yield* originStore.put("leaf", "laptop", { users: ["alice"], verifier: "ab".repeat(32), createdAt: 1 })
      yield* laptop.deliver(origin, { _tag: "Delta", delta: yield* originStore.since({}) })
      expect((yield* laptop.store.get("space", "alice-space"))?.deleted).toBe(true)
      expect(sharesChanged(laptop.events)).toBe(1)
    }))

  it.scoped("keeps its own watermark, and its watermarks when another leaf's record changes", () =>
    Effect.gen(function*() {
      const laptop = yield* leafNode
      const { store: originStore } = yield* MemoryStore.make({ nodeId: origin as NodeId, maxDriftMs: 60_000 })
      const fromOrigin = (id: string, users: ReadonlyArray<string>) =>
        Effect.gen(function*() {
          yield* originStore.put("leaf", id, { users, verifier: "ab".repeat(32), createdAt: 1 })
          yield* laptop.deliver(origin, { _tag: "Delta", delta: yield* originStore.since(yield* laptop.store.digest) })
        })
      yield* laptop.store.put("node", leaf, { zone: "edge", mode: "leaf", startedAt: 1 })
      yield* fromOrigin("desktop", ["bob"])
      expect(Object.keys(yield* laptop.store.digest).sort()).toEqual([leaf, origin])
      expect(sharesChanged(laptop.events)).toBe(0)

      yield* fromOrigin("laptop", ["alice"])
      expect(Object.keys(yield* laptop.store.digest)).toEqual([leaf])
      // The other leaf's record, which no origin would send it, goes.
      expect(laptop.events).toEqual([GossipEvent.ShareChanged({ leaf: "laptop", forgotten: 1, dropped: 0, evicted: 1 })])
      expect(yield* laptop.store.get("leaf", "desktop")).toBeUndefined()
    }))
})
