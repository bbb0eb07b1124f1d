/**
 * The replicated record: a last-writer-wins register keyed by (kind, id) and versioned
 * by a hybrid logical clock timestamp. See ../shared/DESIGN.md, "Replication".
 */
import { Order, Schema } from "effect"

/** A node's identity on the wire and in versions (a short, stable string). */
export const NodeId = Schema.String.pipe(Schema.brand("NodeId"))
export type NodeId = typeof NodeId.Type

/**
 * A hybrid logical clock timestamp. The total order is (wall, counter, node): the node id
 * breaks ties so that two different writes never carry equal versions.
 */
export class Version extends Schema.Class<Version>("Version")({
  wall: Schema.Number,
  counter: Schema.Number,
  node: NodeId
}) {}

export const versionOrder: Order.Order<Version> = Order.combine(
  Order.combine(
    Order.mapInput(Order.number, (v: Version) => v.wall),
    Order.mapInput(Order.number, (v: Version) => v.counter)
  ),
  Order.mapInput(Order.string, (v: Version) => v.node)
)

/**
 * Record kinds this version knows. Gossip refuses a record of any other kind at the wire: a
 * store that kept and passed on whatever a peer named would let one key holder fill every disk.
 */
export const KnownKind = Schema.Literal(
  "template",
  "space",
  "space-status",
  "space-lifecycle",
  "volume",
  "node",
  "zone",
  "user",
  "user-role",
  "user-status",
  "token",
  "leaf",
  "leaf-revocation",
  "leaf-binding",
  "quota",
  "audit",
  "ssh-key",
  "password",
  "session"
)
export type KnownKind = typeof KnownKind.Type

export const isKnownKind: (kind: string) => kind is KnownKind = Schema.is(KnownKind)

export class StoredRecord extends Schema.Class<StoredRecord>("StoredRecord")({
  kind: Schema.String,
  id: Schema.String,
  /** The value as JSON; its kind's schema (storage/kinds) decodes it where it is used. */
  value: Schema.Unknown,
  version: Version,
  deleted: Schema.Boolean
}) {}

/**
 * Per origin node, the highest version up to which this store holds every surviving write
 * of that origin (a Scuttlebutt summary). It is a watermark, not merely the highest version
 * seen: a write that arrives out of order is stored but does not raise it.
 */
export const Digest = Schema.Record({ key: Schema.String, value: Version })
export type Digest = typeof Digest.Type

/**
 * What anti-entropy sends: the records the other side lacks, ordered by origin then version,
 * and the watermarks the receiver may raise to once it has applied them.
 */
export class Delta extends Schema.Class<Delta>("Delta")({
  records: Schema.Array(StoredRecord),
  upTo: Digest,
  /**
   * The watermarks the delta starts from: the digest it answers, for the origins of `upTo`
   * (an origin absent here, from the first record). The receiver raises a watermark only where
   * it holds at least this one, so a reply to a digest it held before forgetting watermarks
   * (storage/store.ts `forgetWatermarks`) claims nothing past records it lacks. Absent: from
   * wherever the receiver stands, as before the field existed.
   */
  after: Schema.optionalWith(Digest, { exact: true })
}) {}
