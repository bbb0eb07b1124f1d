/**
 * What a leaf may write into the cluster, and what the cluster sends it. A leaf is a laptop
 * that may be lost: the cluster node it links to (its origin) is the gate, checking every
 * record the leaf sends before anything of it is stored, and sending it only what it needs.
 * Cluster nodes hold the cluster key and are peers of equal trust, so a record that passed
 * the gate needs no proof on its way on: any key holder could have written it anyway, and a
 * leaf can reach the cluster only through a node that checks it.
 *
 * A leaf originates (version.node is its node id, always):
 * - its own `node` record;
 * - `space` records of its users (a request on a space they own, or a space placed on it);
 * - `space-status` and `space-lifecycle` records of spaces placed on it;
 * - `volume` records of volumes on it, or of its users (asking for one to be removed);
 * - `audit` entries of the writes made through its own API;
 * - `ssh-key` records of its users (a key they add or remove through the leaf);
 * - `session` records of its users (a browser signing in to the leaf, or signing out).
 * Nothing else: no users or their settings, tokens, passwords, templates, zones, leaves, and no
 * record in another's name. It receives its users' accounts and settings (role, disabled), so
 * that a user disabled on the cluster is refused on it too, and their `password` records, so
 * that they sign in to it offline: the hash is of their own password, on a machine that
 * serves them. It receives its own `leaf` record (the verifier of a credential it holds), and
 * no other leaf's.
 */
import { Effect, Either, Option, Schema } from "effect"
import { AuditEntry } from "../../storage/kinds/audit.ts"
import { KeptVolume } from "../../storage/kinds/volume.ts"
import { Space } from "../../storage/kinds/space.ts"
import { SshKey } from "../../storage/kinds/sshKey.ts"
import { Template } from "../../storage/kinds/template.ts"
import { Token } from "../../storage/kinds/token.ts"
import { Password } from "../../storage/kinds/password.ts"
import { Session } from "../../storage/kinds/session.ts"
import { Node } from "../../storage/kinds/node.ts"
import { Leaf } from "../../storage/kinds/leaf.ts"
import type { StoredRecord, Version } from "../../storage/record.ts"
import { makeStoredRecord } from "../../storage/recordInstances.ts"

/** A leaf as its origin knows it: from the leaf record its credential names. */
export interface LeafScope {
  /** The leaf's name (its credential's). */
  readonly name: string
  /** The node id its key fixes: the only writer its records may name. */
  readonly node: string
  readonly users: ReadonlySet<string>
  /** Templates limited to other zones are not sent to it. */
  readonly zone: string | undefined
  /**
   * Its leaf record is absent or does not read at the origin (not yet arrived, or corrupt), so
   * `users` is empty: what it sends is refused for now rather than for good, and its
   * watermark is not taken, so the leaf sends it again once the record reads.
   */
  readonly unread?: boolean
  /**
   * The version of its leaf record this scope was read from (absent while the origin holds
   * none): a delta judged by this scope names it, and the leaf takes the delta's watermarks
   * only while it holds that same version.
   */
  readonly version?: Version
}

/** The stored record of a key, or undefined; read failures count as absent (refusing stays safe). */
export type RecordLookup = (kind: string, id: string) => Effect.Effect<StoredRecord | undefined>

/** A stored value is in its kind's encoded form: decode it, never test the decoded type against it. */
const reader = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownOption(schema)
  return (value: unknown): A | undefined => Option.getOrUndefined(decode(value))
}
const asSpace = reader(Space)
const asVolume = reader(KeptVolume)
const asTemplate = reader(Template)
const asToken = reader(Token)
const asAudit = reader(AuditEntry)
const asSshKey = reader(SshKey)
const asSession = reader(Session)
const asPassword = reader(Password)
const asNode = reader(Node)

const liveValue = (record: StoredRecord | undefined): unknown => record === undefined || record.deleted ? undefined : record.value

/**
 * Why a record the leaf sent is outside its authority, or undefined when it may write it.
 * `staged`: the records of the same frame, by kind/id, so a space and its first status can
 * arrive together.
 */
export const refusalOf = (
  scope: LeafScope,
  record: StoredRecord,
  lookup: RecordLookup,
  staged: ReadonlyMap<string, StoredRecord>
): Effect.Effect<string | undefined> =>
  Effect.gen(function*() {
    if (record.version.node !== scope.node) return `written in another node's name (${record.version.node})`
    const current = (kind: string, id: string) =>
      Effect.map(lookup(kind, id), (stored) => staged.get(`${kind}/${id}`) ?? stored)
    /** A live space decides; the state of a space gone (or never seen here) may only be deleted. */
    const stateOfSpaceHere = (id: string) =>
      Effect.map(current("space", id), (stored) => {
        const space = liveValue(stored)
        return space === undefined ? record.deleted : asSpace(space)?.node === scope.node
      })
    switch (record.kind) {
      case "node":
        if (record.id !== scope.node) return "another node's record"
        // A record that said "cluster" would make it a candidate for others' spaces, and its word on other leaves' links count.
        return record.deleted || asNode(record.value)?.mode === "leaf" ? undefined : "a node record that does not say it is a leaf"
      case "space": {
        const served = (value: unknown) => {
          const space = asSpace(value)
          return space !== undefined && scope.users.has(space.owner)
        }
        const before = liveValue(yield* lookup("space", record.id))
        if (before !== undefined && !served(before)) return "a space of a user it does not serve"
        // Past the check above, a tombstone deletes a space it serves, or one this node never held.
        if (record.deleted) return undefined
        return served(record.value) ? undefined : "a space of a user it does not serve"
      }
      case "space-status":
      case "space-lifecycle":
        return (yield* stateOfSpaceHere(record.id)) ? undefined : "the state of a space not placed on it"
      case "volume": {
        const before = liveValue(yield* lookup("volume", record.id))
        const mine = (value: unknown) => {
          const volume = asVolume(value)
          return volume !== undefined && (volume.node === scope.node || scope.users.has(volume.owner))
        }
        if (before !== undefined && !mine(before)) return "a volume neither on it nor of its users"
        if (record.deleted) return undefined
        return mine(record.value) ? undefined : "a volume neither on it nor of its users"
      }
      case "audit":
        return asAudit(record.value)?.node === scope.node ? undefined : "an audit entry of another node"
      case "ssh-key": {
        // Both the key it replaces and the one it writes: a leaf may not take over another user's key.
        const ofServed = (value: unknown) => scope.users.has(asSshKey(value)?.user ?? "")
        const before = liveValue(yield* lookup("ssh-key", record.id))
        if (before !== undefined && !ofServed(before)) return "an SSH key of a user it does not serve"
        if (record.deleted) return undefined
        return ofServed(record.value) ? undefined : "an SSH key of a user it does not serve"
      }
      case "session": {
        const ofServed = (value: unknown) => scope.users.has(asSession(value)?.user ?? "")
        const before = liveValue(yield* lookup("session", record.id))
        if (before !== undefined && !ofServed(before)) return "a session of a user it does not serve"
        if (record.deleted) return undefined
        return ofServed(record.value) ? undefined : "a session of a user it does not serve"
      }
      default:
        return "records of this kind are written on the cluster only"
    }
  })

/**
 * What the origin does with a record for the leaf: send it, withhold it, send it as a
 * tombstone, or wait.
 *
 * A template limited to zones the leaf is not in goes as a tombstone of its version: the leaf
 * may hold an earlier version that it may use no more, and a tombstone, like every other,
 * reveals only a name.
 *
 * A space's state is the leaf's only if the space is, and it can reach the origin before its
 * space does (from a node that got the space by a push, which raises no watermark).
 * Withholding it then while sending its origin's watermark would tell the leaf it holds the
 * state when it never will: a leaf takes no record below a watermark it holds. So it waits:
 * the origin sends that origin's watermark only up to the record before it
 * (antiEntropy.actor.ts), and decides once the space is here. The wait ends: a node writes a
 * space's state only while it holds the space, and anti-entropy brings every record to every
 * cluster node.
 */
export type LeafShare = "send" | "withhold" | "tombstone" | "wait"

const shareIf = (needed: boolean): LeafShare => (needed ? "send" : "withhold")

/**
 * Whether the origin sends the leaf this record: what it needs, not every user's secrets and
 * spaces. `read` fails on a record it holds but cannot read: one that will not come again, so
 * it withholds rather than waits.
 */
export const shareWithLeaf = (
  scope: LeafScope,
  record: StoredRecord,
  read: (kind: string, id: string) => Effect.Effect<StoredRecord | undefined, unknown>
): Effect.Effect<LeafShare> =>
  Effect.gen(function*() {
    const ours = (value: { readonly node: string; readonly owner: string } | undefined) =>
      value !== undefined && (value.node === scope.node || scope.users.has(value.owner))
    // A tombstone reveals only a key, and the leaf needs it to drop what it holds: a revoked
    // token above all, or it would sign its holder in on the leaf for good. A token's key is its
    // id, which the secret carries beside the random part (or a hash of an adopted secret), so
    // it proves nothing. Another leaf's name alone is withheld.
    if (record.deleted) return shareIf(record.kind !== "leaf" || record.id === scope.name)
    switch (record.kind) {
      case "node":
      case "zone":
        return "send"
      case "template": {
        const template = asTemplate(record.value)
        if (template === undefined) return "withhold"
        return template.zones.length === 0 || scope.zone === undefined || template.zones.includes(scope.zone)
          ? "send"
          : "tombstone"
      }
      case "user":
      case "user-role":
      case "user-status":
        return shareIf(scope.users.has(record.id))
      case "token":
        return shareIf(scope.users.has(asToken(record.value)?.user ?? ""))
      case "ssh-key":
        return shareIf(scope.users.has(asSshKey(record.value)?.user ?? ""))
      case "session":
        return shareIf(scope.users.has(asSession(record.value)?.user ?? ""))
      case "password":
        return shareIf(scope.users.has(asPassword(record.value)?.user ?? ""))
      case "space":
        return shareIf(ours(asSpace(record.value)))
      case "space-status":
      case "space-lifecycle": {
        const space = yield* Effect.either(read("space", record.id))
        if (Either.isLeft(space)) return "withhold"
        return space.right === undefined ? "wait" : shareIf(ours(asSpace(liveValue(space.right))))
      }
      case "volume":
        return shareIf(ours(asVolume(record.value)))
      case "leaf":
        // Its own record tells it when its share changed (added again with other users or
        // zone): it holds watermarks past records it was never sent, so it must ask anew.
        return shareIf(record.id === scope.name)
      default:
        return "withhold"
    }
  })

/**
 * The record as the leaf is sent it under `share`: itself, a tombstone of its version, or
 * undefined when it is not sent now (withheld, or waiting).
 */
export const sharedForm = (record: StoredRecord, share: LeafShare): StoredRecord | undefined =>
  share === "send" || (share === "tombstone" && record.deleted)
    ? record
    : share === "tombstone"
    ? makeStoredRecord(record.kind, record.id, null, record.version, true)
    : undefined

const asLeaf = reader(Leaf)

/**
 * A leaf's scope as the leaf itself reads it from its own `leaf` record (which its origin
 * sends it): undefined when the record does not decode, so that nothing is judged by it.
 */
export const ownScope = (record: StoredRecord, node: string): LeafScope | undefined => {
  const leaf = record.deleted ? undefined : asLeaf(record.value)
  return leaf === undefined
    ? undefined
    : { name: record.id, node, users: new Set(leaf.users), zone: leaf.zone, version: record.version }
}

/**
 * Of the records a leaf holds, those its origin no longer sends it under `scope`: another
 * user's account, tokens and spaces once the leaf stopped serving them, a template of a zone
 * it left. Its own writes stay, and so does a record whose share waits on another.
 */
export const outsideShare = (
  scope: LeafScope,
  records: ReadonlyArray<StoredRecord>,
  read: (kind: string, id: string) => Effect.Effect<StoredRecord | undefined, unknown>
): Effect.Effect<Array<StoredRecord>> =>
  Effect.filter(records, (record) =>
    record.version.node === scope.node
      ? Effect.succeed(false)
      : Effect.map(shareWithLeaf(scope, record, read), (share) => share === "withhold" || share === "tombstone"))
