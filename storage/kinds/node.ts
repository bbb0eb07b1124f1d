/** A node: one knot process, as the cluster sees it. */
import { Schema } from "effect"
import { EpochMillis, NonEmpty } from "./fields.ts"

const hex32 = /^[0-9a-f]{64}$/

export const NodeMode = Schema.Literal("standalone", "cluster", "leaf")
export type NodeMode = typeof NodeMode.Type

/** A leaf linked to a cluster node, as that node's membership sees the link. */
export const LinkedLeaf = Schema.Struct({
  id: NonEmpty("the leaf's id"),
  state: Schema.Literal("joining", "alive", "suspect", "dead", "leaving", "left"),
  /** When the link last changed state. */
  since: EpochMillis("since")
})
export type LinkedLeaf = typeof LinkedLeaf.Type

export const Node = Schema.Struct({
  zone: NonEmpty("the zone"),
  /** What people call it (`[server] name`, by default its host's name); its id stays the key. */
  name: Schema.optionalWith(NonEmpty("the name"), { exact: true }),
  mode: NodeMode,
  /** Where peers reach it, when it accepts connections. */
  address: Schema.optionalWith(NonEmpty("the address"), { exact: true }),
  /**
   * On a cluster node: its Noise public key (64 hex digits), by which a peer dials it when the
   * cluster is too large for every node to link every other (transport/hyperswarm/linkKeeper.ts).
   * The key fixes the node's id, so a record that names another node's key is never dialed.
   */
  publicKey: Schema.optionalWith(
    Schema.String.pipe(Schema.filter((value) => hex32.test(value) || `the public key must be 64 lowercase hex digits (got ${JSON.stringify(value)})`)),
    { exact: true }
  ),
  startedAt: EpochMillis("startedAt"),
  /** On a leaf: the cluster node it is linked to now, through which other nodes reach it. */
  origin: Schema.optionalWith(NonEmpty("the origin"), { exact: true }),
  /**
   * On a cluster node: the leaves whose links it holds, and their state. A leaf gossips with its
   * origin alone, so this is how every other cluster node learns of it and of its link.
   */
  leaves: Schema.optionalWith(Schema.Array(LinkedLeaf), { exact: true })
})
export type Node = typeof Node.Type
