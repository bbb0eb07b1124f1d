/**
 * What must hold of a simulated cluster, checked beside it as it runs (TigerBeetle's state
 * checker) and once more at the end. Each check returns the violations it finds, named and
 * explained, so that a failing seed says what went wrong and not only that something did.
 */
import { Effect, Either } from "effect"
import { generationOf } from "../actors/space/spaceContainer.ts"
import { decodeSpace, spaceKind } from "../actors/space/spaceRecord.ts"
import { type ContainerInfo, SpaceLabels } from "../effects/container/containerDriver.ts"
import type { Digest, StoredRecord } from "../storage/record.ts"
import { recordOrder } from "../storage/recordRank.ts"
import { KnownKind } from "../storage/record.ts"
import { statusOf } from "../transport/gossip/membershipView.ts"
import { type LeafScope, type RecordLookup, refusalOf, sharedForm, shareWithLeaf } from "../transport/gossip/leafAuthority.ts"
import { forgedPrefix } from "./byzantineLeaf.ts"
import { type SimCluster, simulatedOwner } from "./cluster.ts"

export interface Violation {
  /** Virtual ms. */
  readonly at: number
  readonly invariant: string
  readonly detail: string
}

export interface AcknowledgedWrite {
  readonly node: string
  readonly record: StoredRecord
}

const versionText = (record: StoredRecord) =>
  `${record.version.wall}.${record.version.counter}.${record.version.node}`

/** One line per record (tombstones included), sorted: two stores are equal iff these are. */
const contents = (records: ReadonlyArray<StoredRecord>): string =>
  records.map((record) => `${record.kind}/${record.id}@${versionText(record)}${record.deleted ? "-" : ""}`)
    .sort()
    .join("\n")

const digestText = (digest: Readonly<Record<string, StoredRecord["version"]>>): string =>
  Object.keys(digest).sort().map((origin) => `${origin}:${digest[origin]!.wall}.${digest[origin]!.counter}`).join(" ")

/**
 * Every live node holds the same digest; every cluster node holds the same records, and a
 * leaf exactly what its origin shares with it of them (its own writes, and what it needs).
 */
export const checkConverged = (cluster: SimCluster, at: number): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const violations: Array<Violation> = []
    let reference: { node: string; digest: string; records: ReadonlyArray<StoredRecord>; contents: string } | undefined
    /** `expected`: what `node` should hold under `base`'s digest, as `against` names it. */
    const compare = (
      node: string,
      digest: string,
      held: string,
      base: { readonly node: string; readonly digest: string },
      expected: string,
      against: string
    ) => {
      if (digest !== base.digest) {
        violations.push({
          at,
          invariant: "converged",
          detail: `${node} digest [${digest}] differs from ${base.node} [${base.digest}]`
        })
      } else if (held !== expected) {
        violations.push({
          at,
          invariant: "converged",
          detail: `${node} holds other records than ${against} under the same digest:\n` +
            `  ${node}: ${held.replaceAll("\n", " ")}\n  ${against}: ${expected.replaceAll("\n", " ")}`
        })
      }
    }
    const up = cluster.upNodes()
    for (const node of up.filter((id) => !cluster.leaves.has(id))) {
      const store = cluster.storeOf(node)!
      const digest = digestText(yield* Effect.orDie(store.digest))
      const records = (yield* Effect.orDie(store.since({}))).records
      const held = contents(records)
      if (reference === undefined) reference = { node, digest, records, contents: held }
      else compare(node, digest, held, reference, reference.contents, reference.node)
    }
    if (reference === undefined) return violations
    const { node: from, records } = reference
    const read = cluster.storeOf(from)!.get
    for (const node of up.filter((id) => cluster.leaves.has(id))) {
      const scope = (yield* cluster.leafScopeOn(from, node))!
      const shared: Array<StoredRecord> = []
      for (const record of records) {
        const sent = record.version.node === node ? record : sharedForm(record, yield* shareWithLeaf(scope, record, read))
        if (sent !== undefined) shared.push(sent)
      }
      const store = cluster.storeOf(node)!
      const digest = digestText(yield* Effect.orDie(store.digest))
      const held = contents((yield* Effect.orDie(store.since({}))).records)
      compare(node, digest, held, reference, contents(shared), `${from}'s records for it`)
    }
    return violations
  })

/**
 * What `node` is sent as a leaf, as the first live cluster node holds its leaf record (its
 * fixed scope while none is up); undefined for a cluster node.
 */
const leafScopeNow = (cluster: SimCluster, node: string): Effect.Effect<LeafScope | undefined> => {
  if (!cluster.leaves.has(node)) return Effect.succeed(undefined)
  const clusterNode = cluster.upNodes().find((id) => !cluster.leaves.has(id))
  return clusterNode === undefined ? Effect.succeed(cluster.leaves.get(node)) : cluster.leafScopeOn(clusterNode, node)
}

/**
 * Every acknowledged write is on every live node, or superseded there: by a higher version, or
 * by a record of higher rank (storage/recordRank.ts).
 */
export const checkAcknowledged = (
  cluster: SimCluster,
  writes: ReadonlyArray<AcknowledgedWrite>,
  at: number
): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const violations: Array<Violation> = []
    const up = cluster.upNodes()
    const clusterNode = up.find((id) => !cluster.leaves.has(id))
    const read = clusterNode === undefined ? () => Effect.succeed(undefined) : cluster.storeOf(clusterNode)!.get
    for (const node of up) {
      const store = cluster.storeOf(node)!
      const leaf = yield* leafScopeNow(cluster, node)
      for (const { record, node: writer } of writes) {
        // A leaf is sent only what it needs (a tombstone of the same version counts: it holds that version).
        if (leaf !== undefined && writer !== node && sharedForm(record, yield* shareWithLeaf(leaf, record, read)) === undefined) {
          continue
        }
        const held = yield* Effect.orDie(store.get(record.kind, record.id))
        if (held === undefined || recordOrder(held, record) < 0) {
          violations.push({
            at,
            invariant: "acknowledged-write",
            detail: `${node} lacks ${record.kind}/${record.id}@${versionText(record)} acknowledged by ${writer}` +
              ` (holds ${held === undefined ? "nothing" : versionText(held)})`
          })
        }
      }
    }
    return violations
  })

/** The space creates and deletes users had answered, for checkRequestsKept. */
export interface SpaceRequests {
  readonly created: Array<{ readonly id: string; readonly name: string; readonly owner: string; readonly node: string }>
  /** Ids of spaces whose delete was acknowledged. */
  readonly deleted: Set<string>
  /** Names of `simulatedOwner`'s spaces (the only ones asked for) a delete was asked for on a node that went down before answering. */
  readonly inDoubt: Set<string>
}

/** The acknowledged creates no acknowledged (or unanswered) delete may have removed. */
const keptCreates = (requests: SpaceRequests) =>
  requests.created.filter((create) =>
    !requests.deleted.has(create.id) && !(create.owner === simulatedOwner && requests.inDoubt.has(create.name)))

/**
 * What users were told of their spaces holds on every live node. No create is lost in a
 * merge: every acknowledged create that no acknowledged delete removed is a live space, under
 * its own id (checkSpacesSettled then holds it to its own container); two creates of one name
 * that did not see each other are two spaces, and neither may overwrite the other. And a
 * deletion is final: no space whose deletion was acknowledged is live again, however a request
 * made elsewhere from a read before it crossed it (storage/recordRank.ts).
 */
export const checkRequestsKept = (
  cluster: SimCluster,
  requests: SpaceRequests,
  at: number
): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const violations: Array<Violation> = []
    const kept = keptCreates(requests)
    for (const node of cluster.upNodes()) {
      const store = cluster.storeOf(node)!
      const leaf = yield* leafScopeNow(cluster, node)
      for (const create of kept) {
        // A leaf holds only the spaces of the users it serves.
        if (leaf !== undefined && !leaf.users.has(create.owner)) continue
        const held = yield* Effect.orDie(store.get(spaceKind, create.id))
        if (held === undefined || held.deleted) {
          violations.push({
            at,
            invariant: "create-kept",
            detail: `${node} ${held === undefined ? "lacks" : "holds a tombstone of"} space ${create.id} ` +
              `(${create.name}), created on ${create.node} and never deleted`
          })
        }
      }
      for (const id of requests.deleted) {
        const held = yield* Effect.orDie(store.get(spaceKind, id))
        const space = held === undefined || held.deleted ? undefined : decodeSpace(held)
        if (space !== undefined && Either.isRight(space) && space.right.desired !== "deleted") {
          violations.push({
            at,
            invariant: "delete-kept",
            detail: `${node} holds space ${id} (${space.right.name}) ${space.right.desired} again after its deletion was acknowledged`
          })
        }
      }
    }
    return violations
  })

/**
 * No container of a live space was ever removed, except by its owner to replace it: for each
 * acknowledged, undeleted create, every container of it that an engine removed was removed
 * by the space's owner node, was not running then (a replaced container is one that is gone,
 * failed or half made; a running one is started again, never rebuilt), and is of an earlier
 * generation than the container the owner holds for it now. The merge of two creates of one
 * name must leave both containers alone.
 */
export const checkLiveContainersKept = (
  cluster: SimCluster,
  requests: SpaceRequests,
  at: number
): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const up = cluster.upNodes()
    const reference = up[0]
    if (reference === undefined) return []
    const kept = new Set(keptCreates(requests).map((create) => create.id))
    const containers = yield* containersBySpace(cluster, up)
    const violations: Array<Violation> = []
    for (const removal of cluster.removals) {
      const space = removal.info.labels[SpaceLabels.space]
      if (space === undefined || !kept.has(space)) continue
      const record = yield* Effect.orDie(cluster.storeOf(reference)!.get(spaceKind, space))
      const decoded = record === undefined || record.deleted ? undefined : decodeSpace(record)
      if (decoded === undefined || Either.isLeft(decoded)) continue
      const owner = decoded.right.node
      if (!up.includes(owner)) continue
      const latest = Math.max(
        0,
        ...(containers.get(space) ?? []).filter((placed) => placed.node === owner).map((placed) => generationOf(placed.info))
      )
      const removed = generationOf(removal.info)
      if (removal.node !== owner || removal.info.state === "running" || removed >= latest) {
        violations.push({
          at,
          invariant: "live-container-kept",
          detail: `${removal.node} removed ${removal.info.name} (generation ${removed}, ${removal.info.state}) of live space ${space} ` +
            `at ${removal.at} ms; its owner ${owner} holds ${latest === 0 ? "none" : `generation ${latest}`} now`
        })
      }
    }
    return violations
  })

/** Every live node that has been up for `boundMs` sees `dead` as dead. */
export const checkSeenDead = (
  cluster: SimCluster,
  dead: string,
  crashedAt: number,
  boundMs: number,
  at: number
): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const violations: Array<Violation> = []
    for (const node of cluster.upNodes()) {
      const since = Math.max(crashedAt, cluster.startedAt(node) ?? at)
      if (at - since < boundMs) continue
      const view = yield* cluster.viewOf(node)
      const member = view?.members.get(dead)
      if (member !== undefined && statusOf(member.state) !== "dead") {
        violations.push({
          at,
          invariant: "dead-detected",
          detail: `${node} still sees ${dead} as ${member.state} ${at - crashedAt} ms after it crashed (bound ${boundMs} ms)`
        })
      }
    }
    return violations
  })

/**
 * Calls `missed` for each live node a live node links to and does not see alive, until it
 * returns false. A leaf links to its origin alone; a cluster node to every other cluster node
 * and its own leaves.
 */
const forEachUnseen = (
  cluster: SimCluster,
  missed: (node: string, other: string, state: string) => boolean
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const originOf = new Map(cluster.nodes.map((spec) => [spec.id, spec.origin]))
    const up = cluster.upNodes()
    for (const node of up) {
      const view = yield* cluster.viewOf(node)
      const origin = originOf.get(node)
      for (const other of up) {
        const linked = origin !== undefined
          ? other === origin
          : other !== node && (originOf.get(other) === undefined || originOf.get(other) === node)
        if (!linked) continue
        const member = view?.members.get(other)
        if (member !== undefined && statusOf(member.state) === "alive") continue
        if (!missed(node, other, member?.state ?? "unknown")) return
      }
    }
  })

/** Every live node sees alive every live node it links to. */
export const checkSeenAlive = (cluster: SimCluster, at: number): Effect.Effect<Array<Violation>> =>
  Effect.suspend(() => {
    const violations: Array<Violation> = []
    return Effect.as(
      forEachUnseen(cluster, (node, other, state) => {
        violations.push({ at, invariant: "healed-seen-alive", detail: `${node} sees live node ${other} as ${state}` })
        return true
      }),
      violations
    )
  })

interface PlacedContainer {
  readonly node: string
  readonly info: ContainerInfo
}

/** The containers of each space on the engines of `nodes` (down nodes' containers run on). */
const containersBySpace = (cluster: SimCluster, nodes: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const bySpace = new Map<string, Array<PlacedContainer>>()
    for (const { driver, node } of cluster.drivers) {
      if (!nodes.includes(node)) continue
      for (const info of yield* Effect.orDie(driver.listByLabels({}))) {
        const space = info.labels[SpaceLabels.space]
        if (space !== undefined) bySpace.set(space, [...(bySpace.get(space) ?? []), { node, info }])
      }
    }
    return bySpace
  })

/** Across every node's container engine, at most one running container per space. */
export const checkSingleRunningSpace = (cluster: SimCluster, at: number): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const violations: Array<Violation> = []
    for (const [space, placed] of yield* containersBySpace(cluster, cluster.nodes.map((spec) => spec.id))) {
      const running = placed.filter(({ info }) => info.state === "running").map(({ node }) => node)
      if (running.length > 1) {
        violations.push({ at, invariant: "single-running-space", detail: `space ${space} runs on ${running.join(", ")}` })
      }
    }
    return violations
  })

/**
 * Once the cluster is quiet, every space is as its users asked, on its owner alone: with its
 * owner up, a space that should run has exactly one container there and it runs, a stopped
 * one runs nowhere, a deletion has been carried out (record and containers gone); and no live
 * node keeps a container of a space it does not own, nor a second one of a space it does.
 * Spaces whose owner is down are left alone: their requests wait for it.
 */
export const checkSpacesSettled = (cluster: SimCluster, at: number): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const up = cluster.upNodes()
    const reference = up[0]
    if (reference === undefined) return []
    const containers = yield* containersBySpace(cluster, up)
    const records = (yield* Effect.orDie(cluster.storeOf(reference)!.since({}))).records
      .filter((record) => record.kind === spaceKind)
    const violations: Array<Violation> = []
    const report = (detail: string) => violations.push({ at, invariant: "space-settled", detail })
    const where = (placed: ReadonlyArray<PlacedContainer>) =>
      placed.map(({ info, node }) => `${info.name} (${info.state}) on ${node}`).join(", ")
    for (const record of records) {
      const placed = containers.get(record.id) ?? []
      containers.delete(record.id)
      if (record.deleted) {
        if (placed.length > 0) report(`space ${record.id} is deleted, yet ${where(placed)} remains`)
        continue
      }
      const space = decodeSpace(record)
      if (Either.isLeft(space)) {
        report(space.left.message)
        continue
      }
      const { desired, node: owner } = space.right
      const stray = placed.filter((container) => container.node !== owner)
      if (stray.length > 0) report(`space ${record.id} belongs to ${owner}, yet ${where(stray)} remains`)
      if (!up.includes(owner)) continue
      const own = placed.filter((container) => container.node === owner)
      const running = own.filter((container) => container.info.state === "running")
      if (own.length > 1) report(`space ${record.id} has ${own.length} containers on ${owner}: ${where(own)}`)
      if (desired === "running" && running.length !== 1) {
        report(`space ${record.id} should run on ${owner}, yet ${own.length === 0 ? "it has no container" : where(own)}`)
      }
      if (desired === "stopped" && running.length > 0) report(`space ${record.id} should be stopped: ${where(running)}`)
      if (desired === "deleted") report(`space ${record.id} should be deleted by ${owner}, yet its record is live`)
    }
    for (const [space, placed] of containers) report(`no node knows space ${space}, yet ${where(placed)} remains`)
    return violations
  })

/** Whether two digests hold the same watermark (wall and counter) for the same origins. */
const sameWatermarks = (a: Digest, b: Digest): boolean => {
  const origins = Object.keys(a)
  if (origins.length !== Object.keys(b).length) return false
  return origins.every((origin) => {
    const theirs = b[origin]
    return theirs !== undefined && theirs.wall === a[origin]!.wall && theirs.counter === a[origin]!.counter
  })
}

/**
 * A cheap first look at convergence, run four times a virtual second while a run waits to
 * settle: equal digests, and every live node sees the others alive. It stops at the first
 * difference, so an unsettled cluster of n nodes costs it far less than n² comparisons.
 */
export const looksSettled = (cluster: SimCluster): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    let reference: Digest | undefined
    for (const node of cluster.upNodes()) {
      const digest = yield* Effect.orDie(cluster.storeOf(node)!.digest)
      if (reference !== undefined && !sameWatermarks(digest, reference)) return false
      reference = digest
    }
    let settled = true
    yield* forEachUnseen(cluster, () => (settled = false))
    return settled
  })

/**
 * No cluster node holds a record outside a leaf's authority: nothing forged by a byzantine
 * leaf (its keys start with `byz-`), no live record a leaf wrote that its origin's gate would
 * refuse, and no version or watermark beyond the drift bound of the time of the check.
 */
export const checkLeafAuthority = (
  cluster: SimCluster,
  leaves: ReadonlyMap<string, LeafScope>,
  maxDriftMs: number,
  at: number
): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const violations: Array<Violation> = []
    const leafIds = new Set(leaves.keys())
    for (const node of cluster.upNodes().filter((id) => !leafIds.has(id))) {
      const store = cluster.storeOf(node)!
      const lookup: RecordLookup = (kind, id) => Effect.orElseSucceed(store.get(kind, id), () => undefined)
      const flag = (detail: string) => violations.push({ at, invariant: "leaf-authority", detail: `${node} ${detail}` })
      // Listed by kind: `since` covers records up to each origin's watermark only, and a pushed
      // record may sit above it.
      const records = (yield* Effect.forEach(KnownKind.literals, (kind) => Effect.orDie(store.list(kind)))).flat()
      for (const record of records) {
        const key = `${record.kind}/${record.id}@${versionText(record)}`
        if (record.id.startsWith(forgedPrefix)) flag(`holds ${key}, forged by a leaf`)
        if (record.version.wall > at + maxDriftMs) flag(`holds ${key}, beyond the drift bound`)
        const scope = leaves.get(record.version.node)
        if (scope === undefined) continue
        const refusal = yield* refusalOf(scope, record, lookup, new Map())
        if (refusal !== undefined) flag(`holds ${key} from leaf ${scope.name}: ${refusal}`)
      }
      for (const [origin, watermark] of Object.entries(yield* Effect.orDie(store.digest))) {
        if (watermark.wall > at + maxDriftMs) flag(`holds a watermark for ${origin} beyond the drift bound`)
      }
    }
    return violations
  })
