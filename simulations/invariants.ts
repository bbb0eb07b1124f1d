/**
 * What must hold of a simulated cluster, checked beside it as it runs (TigerBeetle's state
 * checker) and once more at the end. Each check returns the violations it finds, named and
 * explained, so that a failing seed says what went wrong and not only that something did.
 */
import { Effect } from "effect"
import { SpaceLabels } from "../effects/container/containerDriver.ts"
import type { StoredRecord } from "../storage/record.ts"
import { versionOrder } from "../storage/record.ts"
import { statusOf } from "../transport/gossip/membershipView.ts"
import type { SimCluster } from "./cluster.ts"

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

/** Every live node holds the same digest and the same records. */
export const checkConverged = (cluster: SimCluster, at: number): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const nodes = cluster.upNodes()
    const violations: Array<Violation> = []
    let reference: { node: string; digest: string; contents: string } | undefined
    for (const node of nodes) {
      const store = cluster.storeOf(node)!
      const digest = digestText(yield* Effect.orDie(store.digest))
      const delta = yield* Effect.orDie(store.since({}))
      const held = contents(delta.records)
      if (reference === undefined) {
        reference = { node, digest, contents: held }
        continue
      }
      if (digest !== reference.digest) {
        violations.push({
          at,
          invariant: "converged",
          detail: `${node} digest [${digest}] differs from ${reference.node} [${reference.digest}]`
        })
      } else if (held !== reference.contents) {
        violations.push({
          at,
          invariant: "converged",
          detail: `${node} holds other records than ${reference.node} under the same digest:\n` +
            `  ${node}: ${held.replaceAll("\n", " ")}\n  ${reference.node}: ${reference.contents.replaceAll("\n", " ")}`
        })
      }
    }
    return violations
  })

/** Every acknowledged write is on every live node, or superseded there by a higher version. */
export const checkAcknowledged = (
  cluster: SimCluster,
  writes: ReadonlyArray<AcknowledgedWrite>,
  at: number
): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const violations: Array<Violation> = []
    for (const node of cluster.upNodes()) {
      const store = cluster.storeOf(node)!
      for (const { record, node: writer } of writes) {
        const held = yield* Effect.orDie(store.get(record.kind, record.id))
        if (held === undefined || versionOrder(held.version, record.version) < 0) {
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

/** Every live node sees every other live node alive. */
export const checkSeenAlive = (cluster: SimCluster, at: number): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const violations: Array<Violation> = []
    const up = cluster.upNodes()
    for (const node of up) {
      const view = yield* cluster.viewOf(node)
      for (const other of up) {
        if (other === node) continue
        const member = view?.members.get(other)
        if (member === undefined || statusOf(member.state) !== "alive") {
          violations.push({
            at,
            invariant: "healed-seen-alive",
            detail: `${node} sees live node ${other} as ${member?.state ?? "unknown"}`
          })
        }
      }
    }
    return violations
  })

/** Across every node's container engine, at most one running container per space. */
export const checkSingleRunningSpace = (cluster: SimCluster, at: number): Effect.Effect<Array<Violation>> =>
  Effect.gen(function*() {
    const running = new Map<string, Array<string>>()
    for (const { driver, node } of cluster.drivers) {
      for (const container of yield* Effect.orDie(driver.listByLabels({}))) {
        const space = container.labels[SpaceLabels.space]
        if (space === undefined || container.state !== "running") continue
        running.set(space, [...(running.get(space) ?? []), node])
      }
    }
    const violations: Array<Violation> = []
    for (const [space, nodes] of running) {
      if (nodes.length > 1) {
        violations.push({ at, invariant: "single-running-space", detail: `space ${space} runs on ${nodes.join(", ")}` })
      }
    }
    return violations
  })

/** A cheap first look at convergence: equal digests, and every live node sees the others alive. */
export const looksSettled = (cluster: SimCluster): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    let reference: string | undefined
    for (const node of cluster.upNodes()) {
      const digest = digestText(yield* Effect.orDie(cluster.storeOf(node)!.digest))
      if (reference !== undefined && digest !== reference) return false
      reference = digest
    }
    return (yield* checkSeenAlive(cluster, 0)).length === 0
  })
