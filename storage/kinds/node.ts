/** A node: one knot process, as the cluster sees it. */
import { Schema } from "effect"
import { EpochMillis, NonEmpty } from "./fields.ts"

export const NodeMode = Schema.Literal("standalone", "cluster", "leaf")
export type NodeMode = typeof NodeMode.Type

export const Node = Schema.Struct({
  zone: NonEmpty("the zone"),
  mode: NodeMode,
  /** Where peers reach it, when it accepts connections. */
  address: Schema.optionalWith(NonEmpty("the address"), { exact: true }),
  startedAt: EpochMillis("startedAt")
})
export type Node = typeof Node.Type
