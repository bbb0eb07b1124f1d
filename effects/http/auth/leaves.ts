/**
 * The leaves an admin lets join, as replicated `leaf` records (storage/kinds/leaf.ts), and the
 * one question the transport asks of them: may this leaf, as this node, link now?
 */
import { Clock, Context, Effect, Either, Layer, Option, Schema } from "effect"
import type { Leaf } from "../../../storage/kinds/leaf.ts"
import { Leaf as LeafSchema, leafKind } from "../../../storage/kinds/leaf.ts"
import { LeafRevocation, leafRevocationKind } from "../../../storage/kinds/leafRevocation.ts"
import { LeafBinding, leafBindingKind } from "../../../storage/kinds/leafBinding.ts"
import type { RecordDecoder } from "../../../storage/readableRecords.ts"
import { readableValueOf, readableValues } from "../../../storage/readableRecords.ts"
import { rankOf } from "../../../storage/recordRank.ts"
import { Store } from "../../../storage/store.ts"
import type { StoreError } from "../../../storage/store.errors.ts"
import type { StoredRecord } from "../../../storage/record.ts"
import { formatLeafCredential, LEAF_SECRET_BYTES, leafVerifier } from "../../../transport/leaf/leafCredential.ts"
import type { UserNotFound } from "./auth.errors.ts"
import { LeafNameTaken, LeafNotFound, LeafRevoked } from "./auth.errors.ts"
import { SecureRandom } from "./secureRandom.ts"
import { storedDecoder } from "./storedRecords.ts"
import { Users } from "./users.ts"

export interface LeafView {
  readonly name: string
  readonly zone?: string
  readonly users: ReadonlyArray<string>
  readonly createdAt: number
  /** The node that joined with its credential, once one has. */
  readonly node?: string
  readonly revokedAt?: number
  /** waiting: no node has joined with its credential yet. */
  readonly state: "waiting" | "joined" | "revoked"
}

export interface AddLeaf {
  readonly name: string
  readonly zone?: string
  readonly users: ReadonlyArray<string>
}

/** What `knot leaf set` changes of a leaf: each field given replaces the one it has. */
export interface ChangeLeaf {
  readonly zone?: string
  readonly users?: ReadonlyArray<string>
}

/** What a leaf may do once its hello is verified under `verifier`. */
export interface LeafGrant {
  readonly name: string
  readonly verifier: Uint8Array
  readonly zone?: string
  readonly users: ReadonlyArray<string>
  /** Records the node as the credential's holder on its first use. */
  readonly bind: Effect.Effect<void, StoreError>
}

export interface LeavesShape {
  /** A new leaf and its one-time join credential, shown to no one again. */
  readonly add: (
    request: AddLeaf
  ) => Effect.Effect<{ readonly leaf: LeafView; readonly credential: string }, LeafNameTaken | UserNotFound | StoreError>
  readonly list: Effect.Effect<ReadonlyArray<LeafView>, StoreError>
  readonly get: (name: string) => Effect.Effect<LeafView, LeafNotFound | StoreError>
  /**
   * Its users or zone, in place: its credential stays good, and the leaf, sent its record
   * changed, asks its origin for its new share and drops what falls outside it.
   */
  readonly set: (name: string, change: ChangeLeaf) => Effect.Effect<LeafView, LeafNotFound | LeafRevoked | UserNotFound | StoreError>
  /** Its links close and its hellos are refused from then on, on every cluster node. */
  readonly revoke: (name: string) => Effect.Effect<LeafView, LeafNotFound | StoreError>
  /** Why `node` may not link as leaf `name`, or what it may do. */
  readonly grant: (name: string, node: string) => Effect.Effect<Either.Either<LeafGrant, string>, StoreError>
}

const view = (name: string, leaf: Leaf): LeafView => ({
  name,
  users: leaf.users,
  createdAt: leaf.createdAt,
  ...(leaf.zone === undefined ? {} : { zone: leaf.zone }),
  ...(leaf.node === undefined ? {} : { node: leaf.node }),
  ...(leaf.revokedAt === undefined ? {} : { revokedAt: leaf.revokedAt }),
  state: leaf.revokedAt !== undefined ? "revoked" : leaf.node === undefined ? "waiting" : "joined"
})

/**
 * When a credential's revocation record says it was revoked, or undefined when there is none.
 * One that does not read still revokes: its presence is what counts.
 */
const revokedAtOf = (revocation: StoredRecord | undefined): number | undefined => {
  if (revocation === undefined || revocation.deleted) return undefined
  return Option.match(decodeRevocation(revocation.value), {
    onNone: () => revocation.version.wall,
    onSome: (read) => read.revokedAt
  })
}

const decodeRevocation = Schema.decodeUnknownOption(LeafRevocation)

/**
 * The node a credential's binding record names, if it has one. One that does not read binds
 * the credential to no node that can name itself so: a binding is never taken as absent.
 */
const boundNodeOf = (binding: StoredRecord | undefined): string | undefined =>
  binding === undefined || binding.deleted
    ? undefined
    : Option.match(decodeBinding(binding.value), { onNone: () => "(a binding record that does not read)", onSome: (read) => read.node })

const decodeBinding = Schema.decodeUnknownOption(LeafBinding)

export class Leaves extends Context.Tag("knot/http/Leaves")<Leaves, LeavesShape>() {
  static readonly layer: Layer.Layer<Leaves, never, Store | SecureRandom | Users> = Layer.effect(
    Leaves,
    Effect.gen(function*() {
      const store = yield* Store
      const random = yield* SecureRandom
      const users = yield* Users
      const decode = storedDecoder(LeafSchema)
      const decodeNamed: RecordDecoder<readonly [string, Leaf]> = (record) =>
        Either.map(decode(record), (leaf) => [record.id, leaf] as const)

      /**
       * The leaf record as it stands, revoked if its credential's revocation record says so
       * though the record itself was written again without it (leafRevocation.ts).
       */
      const read = (name: string) =>
        Effect.flatMap(readStored(name), (leaf) => leaf === undefined ? Effect.succeed(undefined) : withCredentialRecords(leaf))

      /** The leaf record alone, as admins wrote it. */
      const readStored = (name: string) =>
        readableValueOf(store, leafKind, name, decode)

      /** The leaf with its credential's revocation and binding, each kept in a record of its own. */
      const withCredentialRecords = (leaf: Leaf): Effect.Effect<Leaf, StoreError> =>
        Effect.map(
          Effect.all([store.get(leafRevocationKind, leaf.verifier), store.get(leafBindingKind, leaf.verifier)]),
          ([revocation, binding]) => {
            const revokedAt = leaf.revokedAt ?? revokedAtOf(revocation)
            const node = leaf.node ?? boundNodeOf(binding)
            return {
              ...leaf,
              ...(revokedAt === undefined ? {} : { revokedAt }),
              ...(node === undefined ? {} : { node })
            }
          }
        )

      /**
       * The leaf as admins wrote its record (`stored`, what a change is written from, so that
       * no credential record's fields are copied into it) and as it stands (`leaf`); not found
       * when it has no record.
       */
      const readForChange = (name: string) =>
        Effect.gen(function*() {
          const stored = yield* readStored(name)
          if (stored === undefined) return yield* new LeafNotFound({ name })
          return { stored, leaf: yield* withCredentialRecords(stored) }
        })

      /**
       * Now, or just past the record a new credential replaces, readable or not, if its clock
       * was ahead: a leaf record ranks by `createdAt` (recordRank.ts), and one that ranked
       * below the old credential's would lose to it on every other node.
       */
      const createdAtAfter = (name: string) =>
        Effect.zipWith(
          Clock.currentTimeMillis,
          store.get(leafKind, name),
          (now, current) => current === undefined ? now : Math.max(now, rankOf(leafKind, current.value, current.deleted) + 1)
        )

      const add = (request: AddLeaf) =>
        Effect.gen(function*() {
          const existing = yield* read(request.name)
          if (existing !== undefined && existing.revokedAt === undefined) {
            return yield* new LeafNameTaken({ name: request.name })
          }
          for (const user of request.users) yield* users.get(user)
          const secret = yield* random.bytes(LEAF_SECRET_BYTES)
          const leaf: Leaf = {
            users: [...new Set(request.users)].sort(),
            verifier: leafVerifier(Buffer.from(secret).toString("hex")),
            createdAt: yield* createdAtAfter(request.name),
            ...(request.zone === undefined ? {} : { zone: request.zone })
          }
          yield* store.put(leafKind, request.name, leaf)
          return { leaf: view(request.name, leaf), credential: formatLeafCredential(request.name, secret) }
        })

      const set = (name: string, change: ChangeLeaf) =>
        Effect.gen(function*() {
          const { leaf, stored } = yield* readForChange(name)
          if (leaf.revokedAt !== undefined) return yield* new LeafRevoked({ name })
          for (const user of change.users ?? []) yield* users.get(user)
          const changes = {
            ...(change.users === undefined ? {} : { users: [...new Set(change.users)].sort() }),
            ...(change.zone === undefined ? {} : { zone: change.zone })
          }
          yield* store.put(leafKind, name, { ...stored, ...changes })
          return view(name, { ...leaf, ...changes })
        })

      const revoke = (name: string) =>
        Effect.gen(function*() {
          const { leaf, stored } = yield* readForChange(name)
          if (leaf.revokedAt !== undefined) return view(name, leaf)
          const revokedAt = yield* Clock.currentTimeMillis
          yield* store.batch([
            { _tag: "Put", kind: leafKind, id: name, value: { ...stored, revokedAt } },
            { _tag: "Put", kind: leafRevocationKind, id: leaf.verifier, value: { leaf: name, revokedAt } }
          ])
          return view(name, { ...leaf, revokedAt })
        })

      const grant = (name: string, node: string) =>
        Effect.map(read(name), (leaf): Either.Either<LeafGrant, string> => {
          if (leaf === undefined) return Either.left(`no leaf named ${name} was added on the cluster (\`knot leaf add\`)`)
          if (leaf.revokedAt !== undefined) return Either.left(`leaf ${name}'s credential was revoked`)
          if (leaf.node !== undefined && leaf.node !== node) {
            return Either.left(`leaf ${name}'s credential was already used by node ${leaf.node}`)
          }
          return Either.right({
            name,
            verifier: Buffer.from(leaf.verifier, "hex"),
            users: leaf.users,
            ...(leaf.zone === undefined ? {} : { zone: leaf.zone }),
            bind: leaf.node === undefined
              ? Effect.asVoid(store.put(leafBindingKind, leaf.verifier, { leaf: name, node }))
              : Effect.void
          })
        })

      return {
        add,
        list: Effect.flatMap(
          Effect.flatMap(store.list(leafKind), (records) => readableValues(store, records, decodeNamed)),
          (leaves) => Effect.forEach(leaves, ([name, leaf]) => Effect.map(withCredentialRecords(leaf), (read) => view(name, read)))
        ),
        get: (name) => Effect.map(readForChange(name), ({ leaf }) => view(name, leaf)),
        set,
        revoke,
        grant
      }
    })
  )
}
