/** A node: one knot process, as the cluster sees it. */
import { Schema } from "effect"
import { EpochMillis, NonEmpty } from "./fields.ts"

export const NodeMode = Schema.Literal("standalone", "cluster", "leaf")
export type NodeMode = typeof NodeMode.Type

export const Node = Schema.Struct({
  zone: NonEmpty("the zone"),
  /** What people call it (`[server] name`, by default its host's name); its id stays the key. */
  name: Schema.optionalWith(NonEmpty("the name"), { exact: true }),
  mode: NodeMode,
  /** Where peers reach it, when it accepts connections. */
  address: Schema.optionalWith(NonEmpty("the address"), { exact: true }),
  startedAt: EpochMillis("startedAt"),
  /** On a leaf: the cluster node it is linked to now, through which other nodes reach it. */
  origin: Schema.optionalWith(NonEmpty("the origin"), { exact: true })
})
export type Node = typeof Node.Type
