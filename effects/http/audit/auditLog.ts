/**
 * The audit log: every write through the API (any method but GET, HEAD and OPTIONS) is
 * recorded as an `audit` record once it is answered, replicated like any record, and kept for
 * the node's retention: then every node drops it from its own store without a tombstone
 * (`Store.expire`), so nothing of it stays for good.
 */
import type { HttpApp } from "@effect/platform"
import { HttpServerRequest } from "@effect/platform"
import { Clock, Duration, Effect, Option, Random, Ref, Schedule, Schema } from "effect"
import { AuditEntry } from "../../../storage/kinds/audit.ts"
import { versionOrder } from "../../../storage/record.ts"
import { Store, type StoreShape } from "../../../storage/store.ts"
import type { StoreError } from "../../../storage/store.errors.ts"
import { RequestUser } from "./requestUser.ts"

export const auditKind = "audit"

const reads = new Set(["GET", "HEAD", "OPTIONS"])
const encode = Schema.encodeSync(AuditEntry)
const decode = Schema.decodeUnknownOption(AuditEntry)

/** Sorts by time across nodes: 15 digits of ms, then the node, then a random part. */
const entryId = (at: number, node: string) =>
  Effect.map(Random.nextIntBetween(0, 2 ** 31), (random) => `${String(at).padStart(15, "0")}-${node}-${random.toString(16)}`)

export const auditWrites = <R>(
  app: HttpApp.Default<never, R>
): HttpApp.Default<never, R | HttpServerRequest.HttpServerRequest | Store> =>
    Effect.gen(function*() {
      const store = yield* Store
      const request = yield* HttpServerRequest.HttpServerRequest
      if (reads.has(request.method)) return yield* app
      const user = yield* Ref.make(Option.none<string>())
      const response = yield* Effect.provideService(app, RequestUser, user)
      const at = yield* Clock.currentTimeMillis
      const who = yield* Ref.get(user)
      const entry: AuditEntry = {
        at,
        ...(Option.isSome(who) ? { user: who.value } : {}),
        method: request.method,
        path: request.url.split("?")[0] ?? request.url,
        status: response.status,
        address: Option.getOrElse(request.remoteAddress, () => "unknown"),
        node: store.nodeId
      }
      yield* Effect.flatMap(entryId(at, store.nodeId), (id) => store.put(auditKind, id, encode(entry))).pipe(
        Effect.catchAll((error) => Effect.logError(`could not record an audit entry for ${entry.method} ${entry.path}: ${error.message}`))
      )
      return response
    })

export interface AuditQuery {
  /** Epoch ms: only entries at or after it. */
  readonly since?: number
  readonly user?: string
}

/** In the order written: by the hybrid clock of their records, which also orders writes within one ms. */
export const readAudit = (store: StoreShape, query: AuditQuery): Effect.Effect<ReadonlyArray<AuditEntry>, StoreError> =>
  Effect.map(store.list(auditKind), (records) =>
    [...records].sort((a, b) => versionOrder(a.version, b.version)).flatMap((record) => Option.toArray(decode(record.value))).filter((entry) =>
      (query.since === undefined || entry.at >= query.since) && (query.user === undefined || entry.user === query.user)
    ))

/**
 * Drops every entry older than `retention` from this node's store, whoever wrote it, now and
 * then every hour. An entry is written once, under a fresh id, and its version's wall time is
 * never before the entry's own time: a record (or a tombstone, which older versions wrote)
 * older than the cutoff by its version is an entry past retention.
 */
export const pruneAudit = (store: StoreShape, retention: Duration.DurationInput) =>
  Effect.gen(function*() {
    const cutoff = (yield* Clock.currentTimeMillis) - Duration.toMillis(Duration.decode(retention))
    return yield* store.expire(auditKind, (record) => record.version.wall < cutoff)
  }).pipe(Effect.repeat(Schedule.spaced("1 hour")), Effect.catchAll((error) => Effect.logWarning(`pruning the audit log: ${error.message}`)))
