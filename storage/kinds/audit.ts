/**
 * One write through the API (kind `audit`, id: time, node and a random part, so ids sort by
 * time and never collide across nodes): who asked what, on what, when, from where, through
 * which node, and how it was answered.
 */
import { Schema } from "effect"
import { EpochMillis } from "./fields.ts"

export const AuditEntry = Schema.Struct({
  at: EpochMillis("at"),
  /** The user whose token it carried; absent when it carried none that authenticated. */
  user: Schema.optionalWith(Schema.String, { exact: true }),
  method: Schema.String,
  /** The path asked for, without its query. */
  path: Schema.String,
  status: Schema.Number,
  address: Schema.String,
  node: Schema.String
})
export type AuditEntry = typeof AuditEntry.Type
