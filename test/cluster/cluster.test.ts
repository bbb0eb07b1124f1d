/**
 * Cluster mode end to end: real `knot server` processes (bin/knot.js) with their own RocksDB
 * directories, meshed over Hyperswarm through a DHT testnet on loopback. The tests share one
 * cluster and run in order, as one story: the cluster forms, replicates, loses node 3, gets it
 * back, shuts out a node that holds another cluster key, and lets in a node started without
 * an admin of its own.
 */
import { expect, layer } from "@effect/vitest"
import { Context, Duration, Effect, Layer } from "effect"
import type { MemberView } from "../../effects/http/api.schemas.ts"
import {
  eventually,
  expectThat,
  type KnotNode,
  makeNode,
  newClusterKey,
  startNodes,
  startTestnet
} from "../support/clusterHarness.ts"

/** Generous bounds for a loaded 2-core machine; a healthy run needs a fraction of each. */
const MESH_WITHIN = Duration.seconds(20)
const REPLICATION_WITHIN = Duration.seconds(10)
/** A link times out after 15 s, and suspicion lasts 4 s on top of probing. */
const DEATH_WITHIN = Duration.seconds(30)
const REJOIN_WITHIN = Duration.seconds(30)
const REJECTION_WITHIN = Duration.seconds(30)
/** How long the outsider is watched after the cluster refused it: a few anti-entropy rounds (1 s each). */
const OUTSIDER_WATCH = Duration.seconds(3)

interface ClusterShape {
  readonly node1: KnotNode
  readonly node2: KnotNode
  readonly node3: KnotNode
  /** Holds another cluster key and dials the three members directly; started by the restart test. */
  readonly outsider: KnotNode
  /** Started empty, without KNOT_ADMIN_TOKEN or --init, by the last test. */
  readonly joiner: KnotNode
}

class Cluster extends Context.Tag("test/Cluster")<Cluster, ClusterShape>() {
  static readonly layer = Layer.scoped(
    Cluster,
    Effect.gen(function*() {
      const bootstrap = yield* startTestnet
      const clusterKey = newClusterKey()
      const [node1, node2, node3] = yield* startNodes(
        ["node1", "node2", "node3"].map((name) => ({ name, clusterKey, bootstrap }))
      )
      const members = [node1!, node2!, node3!]
      const outsider = yield* makeNode({
        name: "outsider",
        clusterKey: newClusterKey(),
        bootstrap,
        peers: members.map((node) => node.publicKey())
      })
      const joiner = yield* makeNode({ name: "joiner", clusterKey, bootstrap, bootstrapsAdmin: false })
      return { node1: node1!, node2: node2!, node3: node3!, outsider, joiner }
    })
  )
}

const all = (cluster: ClusterShape) => [cluster.node1, cluster.node2, cluster.node3, cluster.outsider, cluster.joiner]

const stateOf = (members: ReadonlyArray<MemberView>, id: string) => members.find((member) => member.id === id)?.state

/** Succeeds once `observer` lists `subject` in `state`. */
const seesAs = (observer: KnotNode, subject: KnotNode, state: MemberView["state"]) =>
  Effect.flatMap(observer.client.cluster.nodes(), ({ members }) => {
    const seen = stateOf(members, subject.id())
    return expectThat(seen === state, `${observer.name} sees ${subject.name} as ${seen ?? "unknown"}, not ${state}`)
  })

const templateNames = (node: KnotNode) => Effect.map(node.client.templates.list(), (templates) => templates.map((t) => t.name))

const holdsTemplate = (node: KnotNode, name: string) =>
  Effect.flatMap(templateNames(node), (names) => expectThat(names.includes(name), `${node.name} holds ${names.join(", ") || "no template"}, not ${name}`))

const writeTemplate = (node: KnotNode, name: string) =>
  node.client.templates.put({ payload: { name, image: "busybox:latest", env: {}, volumes: [], zones: [] } })

/** Counts the lines where `node` says it refused a connection from the holder of `publicKey`. */
const rejectionsOf = (node: KnotNode, publicKey: string) =>
  node.output().split("\n").filter((line) => line.includes(`rejected connection from ${publicKey}`)).length

layer(Cluster.layer, { excludeTestServices: true, timeout: Duration.seconds(120) })("a cluster of three knot processes", (it) => {
  it.effect("each node sees the other two alive", () =>
    Effect.gen(function*() {
      const cluster = yield* Cluster
      const { node1, node2, node3 } = cluster
      const pairs = [[node1, node2], [node1, node3], [node2, node1], [node2, node3], [node3, node1], [node3, node2]] as const
      yield* eventually(
        "every node to see the other two alive",
        Effect.forEach(pairs, ([observer, subject]) => seesAs(observer, subject, "alive"), { discard: true }),
        { within: MESH_WITHIN, nodes: all(cluster) }
      )
      const views = yield* Effect.forEach([node1, node2, node3], (node) => node.client.cluster.nodes())
      for (const view of views) {
        expect(view.members.map((member) => member.id).sort()).toEqual([node1.id(), node2.id(), node3.id()].sort())
      }
    }), 60_000)

  it.effect("each node's /health counts the gossip bytes it sends and receives", () =>
    Effect.gen(function*() {
      const cluster = yield* Cluster
      const traffic = (node: KnotNode) =>
        Effect.flatMap(node.client.health.health(), (health) =>
          health.traffic === undefined ? Effect.fail(new Error(`${node.name} reports no traffic`)) : Effect.succeed(health.traffic))
      const before = yield* traffic(cluster.node2)
      yield* eventually(
        "node 2's gossip counts to grow",
        Effect.flatMap(traffic(cluster.node2), (now) =>
          expectThat(
            now.frameBytesSent > before.frameBytesSent && now.frameBytesReceived > before.frameBytesReceived &&
              now.wireBytesSent > before.wireBytesSent,
            `node 2 still reports ${JSON.stringify(now)}`
          )),
        { within: REPLICATION_WITHIN, nodes: all(cluster), every: "250 millis" }
      )
    }), 30_000)

  it.effect("a template written on node 1 appears on nodes 2 and 3", () =>
    Effect.gen(function*() {
      const cluster = yield* Cluster
      yield* writeTemplate(cluster.node1, "before-the-crash")
      yield* eventually(
        "before-the-crash on nodes 2 and 3",
        Effect.all([holdsTemplate(cluster.node2, "before-the-crash"), holdsTemplate(cluster.node3, "before-the-crash")]),
        { within: REPLICATION_WITHIN, nodes: all(cluster), every: "20 millis" }
      )
      const replica = yield* cluster.node3.client.templates.get({ path: { name: "before-the-crash" } })
      const original = yield* cluster.node1.client.templates.get({ path: { name: "before-the-crash" } })
      expect(replica).toEqual(original)
    }), 30_000)

  it.effect("a user an admin disables on node 1 is refused on node 2 as soon as the change arrives", () =>
    Effect.gen(function*() {
      const cluster = yield* Cluster
      const { node1, node2 } = cluster
      yield* node1.client.users.create({ payload: { name: "dana", role: "user" } })
      const issued = yield* node1.client.tokens.create({ payload: { user: "dana" } })
      const meOn = (node: KnotNode) =>
        Effect.promise(() => fetch(`${node.url}/api/users/me`, { headers: { authorization: `Bearer ${issued.secret}` } }))
      yield* eventually(
        "dana's token to work on node 2",
        Effect.flatMap(meOn(node2), (response) => expectThat(response.status === 200, `node 2 answers ${response.status}`)),
        { within: REPLICATION_WITHIN, nodes: all(cluster), every: "20 millis" }
      )
      const started = Date.now()
      yield* node1.client.users.disable({ path: { name: "dana" } })
      yield* eventually(
        "dana's token to be refused on node 2",
        Effect.flatMap(meOn(node2), (response) => expectThat(response.status === 401, `node 2 answers ${response.status}`)),
        { within: REPLICATION_WITHIN, nodes: all(cluster), every: "20 millis" }
      )
      console.log(`a user disabled on node 1 was refused on node 2 after ${Date.now() - started} ms`)
      // The cluster's later tests count its users.
      yield* node1.client.users.delete({ path: { name: "dana" } })
    }), 30_000)

  it.effect("node 3 killed with SIGKILL is marked dead by nodes 1 and 2", () =>
    Effect.gen(function*() {
      const cluster = yield* Cluster
      const { node1, node2, node3 } = cluster
      yield* node3.stop("SIGKILL")
      yield* eventually(
        "nodes 1 and 2 to mark node 3 dead",
        Effect.all([seesAs(node1, node3, "dead"), seesAs(node2, node3, "dead")]),
        { within: DEATH_WITHIN, nodes: all(cluster), every: "250 millis" }
      )
    }), 60_000)

  it.effect("node 3 restarted on its data rejoins and catches up on the template written while it was down", () =>
    Effect.gen(function*() {
      const cluster = yield* Cluster
      const { node1, node2, node3, outsider } = cluster
      const idBefore = node3.id()
      yield* writeTemplate(node1, "while-node-3-was-down")
      // The outsider starts here too, for the tests after this one: starting is CPU-bound,
      // and one wait for both costs less than two.
      yield* Effect.all([node3.start, outsider.start], { concurrency: "unbounded" })
      expect(node3.id()).toBe(idBefore)
      yield* eventually(
        "nodes 1 and 2 to see node 3 alive again",
        Effect.all([seesAs(node1, node3, "alive"), seesAs(node2, node3, "alive")]),
        { within: REJOIN_WITHIN, nodes: all(cluster), every: "250 millis" }
      )
      yield* eventually("node 3 to hold while-node-3-was-down", holdsTemplate(node3, "while-node-3-was-down"), {
        within: REPLICATION_WITHIN,
        nodes: all(cluster)
      })
      expect(yield* templateNames(node3)).toContain("before-the-crash")
    }), 120_000)

  it.effect("a node holding another cluster key is refused by all three and receives none of their records", () =>
    Effect.gen(function*() {
      const cluster = yield* Cluster
      const { node1, node2, node3, outsider } = cluster
      const members = [node1, node2, node3]
      const outsiderKey = outsider.publicKey()
      // Once refused, the outsider is refused before its handshake (a ban) for a minute, unlogged.
      yield* eventually(
        "each member to refuse the outsider",
        Effect.forEach(members, (node) =>
          expectThat(rejectionsOf(node, outsiderKey) > 0, `${node.name} has not refused the outsider`), { discard: true }),
        { within: REJECTION_WITHIN, nodes: all(cluster), every: "200 millis" }
      )
      yield* Effect.sleep(OUTSIDER_WATCH)
      expect(yield* templateNames(outsider)).toEqual([])
      const view = yield* outsider.client.cluster.nodes()
      expect(view.members.map((member) => member.id)).toEqual([outsider.id()])
      for (const node of members) {
        expect(outsider.output()).toContain(`rejected connection from ${node.publicKey()}`)
      }
    }), 60_000)

  it.effect("a template written on the node holding another cluster key never reaches the cluster", () =>
    Effect.gen(function*() {
      const cluster = yield* Cluster
      const { node1, node2, node3, outsider } = cluster
      const members = [node1, node2, node3]
      const outsiderKey = outsider.publicKey()
      yield* writeTemplate(outsider, "from-the-outsider")
      yield* eventually(
        "each member to have refused the outsider",
        Effect.forEach(members, (node) =>
          expectThat(rejectionsOf(node, outsiderKey) > 0, `${node.name} has not refused the outsider`), { discard: true }),
        { within: REJECTION_WITHIN, nodes: all(cluster), every: "200 millis" }
      )
      yield* Effect.sleep(OUTSIDER_WATCH)
      for (const node of members) {
        expect(yield* templateNames(node)).not.toContain("from-the-outsider")
        const view = yield* node.client.cluster.nodes()
        expect(view.members.map((member) => member.id)).not.toContain(outsider.id())
      }
    }), 60_000)

  it.effect("a node started empty and joined to the running cluster mints no admin", () =>
    Effect.gen(function*() {
      const cluster = yield* Cluster
      const { node1, joiner } = cluster
      yield* joiner.start
      yield* eventually(
        "the joiner to know the cluster's admin and node 1 to see it alive",
        Effect.all([joiner.client.users.me(), seesAs(node1, joiner, "alive")]),
        { within: MESH_WITHIN, nodes: all(cluster), every: "250 millis" }
      )
      // Anything the joiner had minted would by now have reached node 1 as well.
      yield* Effect.sleep(OUTSIDER_WATCH)
      expect(joiner.output()).toContain("this node creates no admin")
      expect(joiner.output()).not.toContain("created admin user")
      for (const node of [joiner, node1]) {
        expect((yield* node.client.users.list()).map((user) => user.id)).toEqual(["admin"])
        expect((yield* node.client.tokens.list({ urlParams: {} })).map((token) => token.name)).toEqual(["bootstrap"])
      }
    }), 60_000)
})
