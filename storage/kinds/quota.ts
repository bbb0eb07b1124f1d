/**
 * What a user may use (kind `quota`, id: the user, or `*` for the cluster's default, which
 * applies where a user's own leaves a field out). An absent field sets no bound.
 */
import { Schema } from "effect"
import { BoundedInteger, BoundedNumber } from "./fields.ts"

export const defaultQuotaId = "*"

const memoryMb = (what: string) => BoundedInteger(what, 6, 1_048_576)
const cpus = (what: string) => BoundedNumber(what, 0.01, 1024)

export const Quota = Schema.Struct({
  maxSpaces: Schema.optionalWith(BoundedInteger("maxSpaces", 0, 100_000), { exact: true }),
  maxRunning: Schema.optionalWith(BoundedInteger("maxRunning", 0, 100_000), { exact: true }),
  /** The most a template may give one of the user's containers. */
  maxMemoryMb: Schema.optionalWith(memoryMb("maxMemoryMb"), { exact: true }),
  maxCpus: Schema.optionalWith(cpus("maxCpus"), { exact: true }),
  /** What a container gets when its template sets no limit. */
  defaultMemoryMb: Schema.optionalWith(memoryMb("defaultMemoryMb"), { exact: true }),
  defaultCpus: Schema.optionalWith(cpus("defaultCpus"), { exact: true })
})
export type Quota = typeof Quota.Type
