/**
 * A user's quota as it applies: their own `quota` record over the cluster's default (`*`),
 * field by field, and the checks a create and a start pass through. What is in use is what
 * this node knows; after a partition two nodes may each have let one more through, which
 * the next create on either side sees.
 */
import { Effect, Either, Option, Schema } from "effect"
import type { Quota } from "../../storage/kinds/quota.ts"
import { defaultQuotaId, Quota as QuotaSchema } from "../../storage/kinds/quota.ts"
import type { Template } from "../../storage/kinds/template.ts"
import type { StoreShape } from "../../storage/store.ts"
import type { StoreError } from "../../storage/store.errors.ts"
import { SpaceQuotaExceeded } from "./spaces.errors.ts"
import type { SpaceView } from "./spaces.ts"

export const quotaKind = "quota"

const decodeQuota = Schema.decodeUnknownOption(QuotaSchema)

const readQuota = (store: StoreShape, id: string) =>
  Effect.map(store.get(quotaKind, id), (record) =>
    record === undefined || record.deleted ? {} : Option.getOrElse(decodeQuota(record.value), () => ({})))

/** The user's quota over the cluster default. */
export const quotaOf = (store: StoreShape, user: string): Effect.Effect<Quota, StoreError> =>
  Effect.map(Effect.all([readQuota(store, defaultQuotaId), readQuota(store, user)]), ([fallback, own]) => ({ ...fallback, ...own }))

export interface Limits {
  readonly memoryMb?: number
  readonly cpus?: number
}

/** The limits a new space gets, or why its template asks for more than its owner may have. */
export const settleLimits = (owner: string, template: Template, quota: Quota): Either.Either<Limits, SpaceQuotaExceeded> => {
  const memoryMb = template.memoryMb ?? quota.defaultMemoryMb ?? quota.maxMemoryMb
  const cpus = template.cpus ?? quota.defaultCpus ?? quota.maxCpus
  if (memoryMb !== undefined && quota.maxMemoryMb !== undefined && memoryMb > quota.maxMemoryMb) {
    return Either.left(
      new SpaceQuotaExceeded({ owner, quota: `${quota.maxMemoryMb} MB of memory a space`, inUse: `template ${template.name} asks ${memoryMb} MB` })
    )
  }
  if (cpus !== undefined && quota.maxCpus !== undefined && cpus > quota.maxCpus) {
    return Either.left(
      new SpaceQuotaExceeded({ owner, quota: `${quota.maxCpus} CPUs a space`, inUse: `template ${template.name} asks ${cpus}` })
    )
  }
  return Either.right({ ...(memoryMb === undefined ? {} : { memoryMb }), ...(cpus === undefined ? {} : { cpus }) })
}

/** Whether one more space, and one more running one, fit in the owner's quota. */
export const checkRoom = (
  owner: string,
  own: ReadonlyArray<SpaceView>,
  quota: Quota,
  adding: { readonly space: boolean; readonly running: boolean }
): Either.Either<void, SpaceQuotaExceeded> => {
  const live = own.filter((view) => view.desired !== "deleted").length
  const running = own.filter((view) => view.desired === "running").length
  if (adding.space && quota.maxSpaces !== undefined && live >= quota.maxSpaces) {
    return Either.left(new SpaceQuotaExceeded({ owner, quota: `${quota.maxSpaces} spaces`, inUse: `${live} exist` }))
  }
  if (adding.running && quota.maxRunning !== undefined && running >= quota.maxRunning) {
    return Either.left(new SpaceQuotaExceeded({ owner, quota: `${quota.maxRunning} running spaces`, inUse: `${running} are running` }))
  }
  return Either.void
}

export interface QuotaEntry extends Quota {
  /** A user's name, or `*` for the cluster's default. */
  readonly user: string
}

/** Replaces a user's quota (or, for `*`, the default) with `quota`; fields left out set no bound. */
export const writeQuota = (store: StoreShape, user: string, quota: Quota): Effect.Effect<QuotaEntry, StoreError> =>
  Effect.as(store.put(quotaKind, user, Schema.encodeSync(QuotaSchema)(quota)), { user, ...quota })

export const listQuotas = (store: StoreShape): Effect.Effect<ReadonlyArray<QuotaEntry>, StoreError> =>
  Effect.map(store.list(quotaKind), (records) =>
    records.flatMap((record) =>
      Option.match(decodeQuota(record.value), { onNone: () => [], onSome: (quota) => [{ user: record.id, ...quota }] })))
