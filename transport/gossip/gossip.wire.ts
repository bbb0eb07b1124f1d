/**
 * The gossip protocol on the wire: membership (SWIM probes and rumours) and anti-entropy
 * (digests, deltas, eager pushes). A message is JSON inside the transport's versioned frame;
 * `protocol` inside the JSON versions the gossip messages themselves, so that a frame from a
 * node speaking another gossip version is refused with a reason instead of misread.
 */
import { Either, ParseResult, Schema } from "effect"
import { Delta as StoreDelta, Digest as StoreDigest, StoredRecord, Version } from "../../storage/record.ts"
import { decodeFrame, encodeTextFrame, type FrameLimits } from "../codec/frame.ts"
import { summaryBuckets } from "./digestSummary.ts"
import type { PeerId } from "../transport.ts"
import { FrameTooLarge, MalformedFrame } from "../transport.errors.ts"

/**
 * 2: rounds open with a fixed-size Summary, and digests may be partial (digestSummary.ts).
 * 3: membership swaps state push-pull (MembershipSummary, MembershipState), and large
 * clusters talk over partial views (overlay.ts).
 * 4: the same messages, but a space's deletion is final (storage/recordRank.ts): a node of 3
 * would keep a later write over it where one of 4 keeps the deletion, and the two would hold
 * different records under the same watermarks for good.
 * 5: a leaf record ranks by its credential's `createdAt` (storage/recordRank.ts), for the
 * same reason as 4; and a Delta or Push to a leaf names the version of the leaf record its
 * share was judged by (`share`).
 */
export const GOSSIP_PROTOCOL = 5

/** Gossip frames stay far below the transport's own limit: a delta is cut to fit. */
export const DEFAULT_MAX_GOSSIP_FRAME_BYTES = 256 * 1024

export const MemberStatus = Schema.Literal("alive", "suspect", "dead")
export type MemberStatus = typeof MemberStatus.Type

/** One rumour about one member: the sender believes `node` is `status` at `incarnation`. */
export const MemberUpdate = Schema.Struct({
  node: Schema.String,
  zone: Schema.String,
  status: MemberStatus,
  incarnation: Schema.Number
})
export type MemberUpdate = typeof MemberUpdate.Type

const updates = Schema.Array(MemberUpdate)

/** "Are you there?" — answered by an Ack with the same `seq`. */
export const Ping = Schema.TaggedStruct("Ping", { seq: Schema.Number, updates })
/** "Ping `target` for me": the receiver relays the target's Ack back under `seq`. */
export const PingReq = Schema.TaggedStruct("PingReq", { seq: Schema.Number, target: Schema.String, updates })
export const Ack = Schema.TaggedStruct("Ack", { seq: Schema.Number, updates })
/** Rumours sent on their own, e.g. a death announced at once instead of waiting for a probe. */
export const MembershipUpdates = Schema.TaggedStruct("MembershipUpdates", { updates })

const SummaryBuckets = Schema.Array(Schema.String.pipe(Schema.maxLength(64))).pipe(Schema.itemsCount(summaryBuckets))
const BucketList = Schema.Array(Schema.Int.pipe(Schema.between(0, summaryBuckets - 1))).pipe(Schema.maxItems(summaryBuckets))

/**
 * The opening of a membership push-pull (memberlist's push/pull, in a size that does not grow
 * with the cluster): per bucket of members, a hash of what the sender holds of them. A
 * receiver whose hashes agree stays silent; otherwise it answers with a MembershipState.
 */
export const MembershipSummary = Schema.TaggedStruct("MembershipSummary", { buckets: SummaryBuckets })
/**
 * What the sender holds of the members of `buckets` (itself included). With `reply`, the
 * receiver answers with what it holds that differs; without, the exchange ends. A death
 * heard this way counts as a suspicion, so that the member has its chance to refute.
 */
export const MembershipState = Schema.TaggedStruct("MembershipState", {
  members: updates,
  buckets: BucketList,
  reply: Schema.Boolean
})

/** More hops than any cluster needs (2^32 nodes at fanout 2): a bound on what a peer may claim. */
export const maxPushHops = 32

/**
 * On a frame to a leaf: the version of its leaf record the origin judged its share by. The leaf
 * takes of a frame judged by another version than the one it holds only that record itself
 * (antiEntropy's `fromOrigin`).
 */
const LeafShareVersion = Schema.optionalWith(Version, { exact: true })

/** Which buckets of origins a partial digest covers; absent, it covers every origin. */
const DigestBuckets = Schema.optionalWith(BucketList, { exact: true })

/**
 * The opening of a push-pull round: per bucket of origins, a hash of the sender's
 * watermarks. A receiver whose hashes agree has nothing to swap and stays silent; otherwise
 * it answers with a Digest of the buckets that differ.
 */
export const Summary = Schema.TaggedStruct("Summary", { buckets: SummaryBuckets })
/** What the sender holds: its watermarks, of the origins in `buckets` alone when set. */
export const Digest = Schema.TaggedStruct("Digest", { digest: StoreDigest, buckets: DigestBuckets })
/**
 * Records the receiver lacks. With `digest` (partial like the Digest it answers), the sender
 * asks for what it lacks in return (the reply to a Digest); without, the exchange ends.
 */
export const Delta = Schema.TaggedStruct("Delta", {
  delta: StoreDelta,
  digest: Schema.optional(StoreDigest),
  buckets: DigestBuckets,
  share: LeafShareVersion
})
/**
 * A new write spreading over a broadcast tree: the origin splits its members (in id order,
 * around the ring from itself) into `fanout` contiguous ranges and sends the write to the
 * first node of each, naming in `until` where that node's range ends; each receiver does the
 * same with its range. Every node gets it once, O(log n) hops from the origin, with no
 * duplicates while the views agree. `hops` bounds the depth whatever a peer claims. Absent
 * `until` (an older sender): not forwarded. Merged, a push does not move the digest.
 */
export const Push = Schema.TaggedStruct("Push", {
  records: Schema.Array(StoredRecord),
  hops: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, maxPushHops)), { default: () => 0 }),
  /** The exclusive end, on the ring of node ids, of the range the receiver passes the write on to. */
  until: Schema.optionalWith(Schema.String, { exact: true }),
  share: LeafShareVersion
})

export const MembershipMessage = Schema.Union(Ping, PingReq, Ack, MembershipUpdates, MembershipSummary, MembershipState)
export type MembershipMessage = typeof MembershipMessage.Type

export const AntiEntropyMessage = Schema.Union(Summary, Digest, Delta, Push)
export type AntiEntropyMessage = typeof AntiEntropyMessage.Type

export const GossipMessage = Schema.Union(
  Ping,
  PingReq,
  Ack,
  MembershipUpdates,
  MembershipSummary,
  MembershipState,
  Summary,
  Digest,
  Delta,
  Push
)
export type GossipMessage = typeof GossipMessage.Type

const Envelope = Schema.Struct({
  protocol: Schema.Literal(GOSSIP_PROTOCOL).annotations({
    message: (issue) =>
      `gossip protocol ${String(issue.actual)} is not spoken here (this node speaks ${GOSSIP_PROTOCOL}); upgrade the older node`
  }),
  message: GossipMessage
})

// Schema decodes and checks; JSON.parse around it costs less than parseJson.
const decodeEnvelope = Schema.decodeUnknownEither(Envelope)
const fromUtf8 = new TextDecoder("utf-8", { fatal: true })

/** The SWIM messages: most of the traffic, encoded and decoded past Schema (see below). */
type ProbeMessage = typeof Ping.Type | typeof PingReq.Type | typeof Ack.Type | typeof MembershipUpdates.Type

const isProbeMessage = (message: GossipMessage): message is ProbeMessage =>
  message._tag === "Ping" || message._tag === "PingReq" || message._tag === "Ack" ||
  message._tag === "MembershipUpdates"

export const isMembershipMessage = (message: GossipMessage): message is MembershipMessage =>
  isProbeMessage(message) || message._tag === "MembershipSummary" || message._tag === "MembershipState"

/*
 * Every message is written past Schema, built field by field in the schema's order, which
 * gives the very bytes Schema would write (a test holds the two to it for every kind): Schema's
 * encoder walked every field of every record and watermark and cost more than the rest of
 * sending. Reading goes through Schema, which checks what a peer sent, except for the probe
 * messages, most of the traffic and only strings and numbers: a received one that
 * `plainMembership` accepts is one the schema accepts, rebuilt without excess fields as
 * Schema would. Anything else (an anti-entropy message, or a membership message with a flaw)
 * is decoded by Schema.
 */
const plainUpdates = (updates: ReadonlyArray<MemberUpdate>): Array<MemberUpdate> =>
  updates.map(({ incarnation, node, status, zone }) => ({ node, zone, status, incarnation }))

const plainMessage = (message: ProbeMessage): ProbeMessage => {
  switch (message._tag) {
    case "Ping":
    case "Ack":
      return { _tag: message._tag, seq: message.seq, updates: plainUpdates(message.updates) }
    case "PingReq":
      return { _tag: "PingReq", seq: message.seq, target: message.target, updates: plainUpdates(message.updates) }
    case "MembershipUpdates":
      return { _tag: "MembershipUpdates", updates: plainUpdates(message.updates) }
  }
}

const wireVersion = (version: Version) => ({ wall: version.wall, counter: version.counter, node: version.node })

const wireDigest = (digest: StoreDigest): Record<string, ReturnType<typeof wireVersion>> => {
  const out: Record<string, ReturnType<typeof wireVersion>> = {}
  for (const origin of Object.keys(digest)) out[origin] = wireVersion(digest[origin]!)
  return out
}

const wireRecords = (records: ReadonlyArray<StoredRecord>) =>
  records.map((record) => ({
    kind: record.kind,
    id: record.id,
    value: record.value,
    version: wireVersion(record.version),
    deleted: record.deleted
  }))

/**
 * The message as Schema encodes it, made without Schema: fields in the schema's order,
 * optional ones left undefined when absent (JSON leaves them out, as Schema does).
 */
const wireForm = (message: GossipMessage): Json => {
  switch (message._tag) {
    case "Ping":
    case "PingReq":
    case "Ack":
    case "MembershipUpdates":
      return plainMessage(message)
    case "MembershipSummary":
    case "Summary":
      return { _tag: message._tag, buckets: message.buckets }
    case "MembershipState":
      return { _tag: message._tag, members: plainUpdates(message.members), buckets: message.buckets, reply: message.reply }
    case "Digest":
      return { _tag: message._tag, digest: wireDigest(message.digest), buckets: message.buckets }
    case "Delta":
      return {
        _tag: message._tag,
        delta: {
          records: wireRecords(message.delta.records),
          upTo: wireDigest(message.delta.upTo),
          after: message.delta.after === undefined ? undefined : wireDigest(message.delta.after)
        },
        digest: message.digest === undefined ? undefined : wireDigest(message.digest),
        buckets: message.buckets,
        share: message.share === undefined ? undefined : wireVersion(message.share)
      }
    case "Push":
      return {
        _tag: message._tag,
        records: wireRecords(message.records),
        hops: message.hops,
        until: message.until,
        share: message.share === undefined ? undefined : wireVersion(message.share)
      }
  }
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

/** A number as JSON carries it: NaN and the infinities cross the wire as null. */
const isWireNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value)

const isStatus = (value: unknown): value is MemberStatus => value === "alive" || value === "suspect" || value === "dead"

const isUpdate = (value: unknown): value is MemberUpdate =>
  isObject(value) && typeof value.node === "string" && typeof value.zone === "string" && isStatus(value.status) &&
  isWireNumber(value.incarnation)

const isUpdates = (value: unknown): value is ReadonlyArray<MemberUpdate> => Array.isArray(value) && value.every(isUpdate)

/** Whether `message` is a probe message the schema accepts, checked field by field. */
const isPlainProbe = (message: Json): boolean => {
  if (!isUpdates(message.updates)) return false
  switch (message._tag) {
    case "Ping":
    case "Ack":
      return isWireNumber(message.seq)
    case "PingReq":
      return isWireNumber(message.seq) && typeof message.target === "string"
    case "MembershipUpdates":
      return true
    default:
      return false
  }
}

const isSummaryBuckets = (value: unknown): boolean =>
  Array.isArray(value) && value.length === summaryBuckets &&
  value.every((hash) => typeof hash === "string" && hash.length <= 64)

const isBucketList = (value: unknown): boolean =>
  Array.isArray(value) && value.length <= summaryBuckets &&
  value.every((bucket) => Number.isInteger(bucket) && bucket >= 0 && bucket < summaryBuckets)

/** The probe message in a decoded envelope, when it is one the schema accepts as it stands. */
const plainMembership = (json: unknown): ProbeMessage | undefined =>
  isObject(json) && json.protocol === GOSSIP_PROTOCOL && isObject(json.message) && isPlainProbe(json.message)
    ? plainMessage(json.message as ProbeMessage)
    : undefined

/**
 * Whether the schema accepts `message`, in the wire form `wireForm` made of it. The messages
 * of only strings and numbers (membership's, and the summary that opens a round) are checked
 * by hand: they are most of the traffic, and the schema walks each field at a cost greater
 * than encoding it. A test holds the two checks to the same answers.
 */
const acceptedOnWire = (message: GossipMessage, wire: Json): boolean => {
  switch (message._tag) {
    case "Ping":
    case "PingReq":
    case "Ack":
    case "MembershipUpdates":
      return isPlainProbe(wire)
    case "MembershipSummary":
    case "Summary":
      return isSummaryBuckets(wire.buckets)
    case "MembershipState":
      return isUpdates(wire.members) && isBucketList(wire.buckets) && typeof wire.reply === "boolean"
    default:
      return isGossipMessage(message)
  }
}

/**
 * Frames encoded by this process, each with the message it was encoded from, while
 * `rememberEncodedFrames` is on (the simulator turns it on: its network hands a frame to the
 * receiver as the very bytes the sender encoded). Such a frame decodes to the message it was
 * made from without being parsed again, once the schema has checked that message (`is`, which
 * builds nothing); the bytes still cross the network, its counters and the trace. A message
 * the schema refuses is not remembered, so its receiver parses it and refuses it as a real
 * peer would. Frames from anywhere else (a socket, a test's own bytes) are parsed and checked
 * in full.
 */
let encodedHere: WeakMap<Uint8Array, GossipMessage> | undefined

const isGossipMessage = Schema.is(GossipMessage)

/** From now on, frames this process encodes decode back to their message without parsing. */
export const rememberEncodedFrames = (): void => {
  encodedHere ??= new WeakMap()
}

/** The frame for `message`, or FrameTooLarge when it would not fit `limits`. */
export const encodeGossip = (
  message: GossipMessage,
  self: PeerId,
  limits: FrameLimits
): Either.Either<Uint8Array, FrameTooLarge> => {
  const wire = wireForm(message)
  const frame = encodeTextFrame(JSON.stringify({ protocol: GOSSIP_PROTOCOL, message: wire }), self, limits)
  // A probe message is remembered as rebuilt, without excess fields, as decoding gives it;
  // any other as it was, since decoding gives records and versions as class instances.
  if (encodedHere !== undefined && Either.isRight(frame) && acceptedOnWire(message, wire)) {
    encodedHere.set(frame.right, isProbeMessage(message) ? wire as unknown as ProbeMessage : message)
  }
  return frame
}

/** The message in a frame from `from`; any flaw comes back as a typed error, never a throw. */
export const decodeGossip = (
  bytes: Uint8Array,
  from: PeerId,
  limits: FrameLimits
): Either.Either<GossipMessage, FrameTooLarge | MalformedFrame> => {
  const remembered = encodedHere?.get(bytes)
  return remembered !== undefined && bytes.byteLength <= limits.maxFrameBytes
    ? Either.right(remembered)
    : parseGossip(bytes, from, limits)
}

const parseGossip = (
  bytes: Uint8Array,
  from: PeerId,
  limits: FrameLimits
): Either.Either<GossipMessage, FrameTooLarge | MalformedFrame> =>
  Either.flatMap(decodeFrame(bytes, from, limits), (payload) => {
    let json: unknown
    try {
      json = JSON.parse(fromUtf8.decode(payload))
    } catch (error) {
      const reason = error instanceof SyntaxError ? `not JSON (${error.message})` : "payload is not UTF-8"
      return Either.left(new MalformedFrame({ peer: from, reason }))
    }
    const membership = plainMembership(json)
    if (membership !== undefined) return Either.right(membership)
    return decodeEnvelope(json).pipe(
      Either.map((envelope) => envelope.message),
      Either.mapLeft(
        (error) =>
          new MalformedFrame({
            peer: from,
            reason: ParseResult.ArrayFormatter.formatErrorSync(error)
              .map((issue) => `${issue.path.join(".") || "frame"}: ${issue.message}`)
              .join("; ")
          })
      )
    )
  })

const tagPattern = /"_tag":"([A-Za-z]+)"/
const latin1 = new TextDecoder("latin1")

/** The message's tag read off the raw frame without decoding it, for traces; "?" if absent. */
export const peekGossipTag = (bytes: Uint8Array): string =>
  tagPattern.exec(latin1.decode(bytes.subarray(0, 64)))?.[1] ?? "?"
