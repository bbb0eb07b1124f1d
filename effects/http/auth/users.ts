/** Users as replicated `user` records. A user's id is their name (see api.schemas.ts). */
import { Context, Effect, Either, Layer, Random } from "effect"
import type { User, UserRole } from "../../../storage/kinds/user.ts"
import { User as UserSchema } from "../../../storage/kinds/user.ts"
import { UserRoleSetting, userRoleKind, UserStatus, userStatusKind } from "../../../storage/kinds/userSettings.ts"
import type { RecordDecoder } from "../../../storage/readableRecords.ts"
import { readableValueOf, readableValues } from "../../../storage/readableRecords.ts"
import { type BatchOp, Store } from "../../../storage/store.ts"
import type { StoreError } from "../../../storage/store.errors.ts"
import { UserNameTaken, UserNotFound } from "./auth.errors.ts"
import { OwnLeafName, servedAccounts } from "./ownLeaf.ts"
import type { AuthenticatedUser } from "./currentUser.ts"
import { storedDecoder } from "./storedRecords.ts"

export const userKind = "user"

/** The kinds of record, each keyed by the user's id, that say who a user is and may do now. */
export const userRecordKinds: ReadonlySet<string> = new Set([userKind, userRoleKind, userStatusKind])

export interface UserChange {
  readonly role?: UserRole
  readonly disabled?: boolean
}

export interface UsersShape {
  /**
   * A new account, minted at random unless `account` is given: the one case is an admin every
   * node of a cluster bootstraps from one shared secret, which must be one account everywhere.
   */
  readonly create: (
    name: string,
    role: UserRole,
    account?: string
  ) => Effect.Effect<AuthenticatedUser, UserNameTaken | StoreError>
  readonly list: Effect.Effect<ReadonlyArray<AuthenticatedUser>, StoreError>
  readonly get: (id: string) => Effect.Effect<AuthenticatedUser, UserNotFound | StoreError>
  /** The account the user record names now (see storage/kinds/user.ts); undefined on an account older than it. */
  readonly accountOf: (id: string) => Effect.Effect<string | undefined, UserNotFound | StoreError>
  /**
   * Changes a user's role or disables or enables them, each setting a record of its own
   * (storage/kinds/userSettings.ts), replicated like any record.
   */
  readonly update: (id: string, change: UserChange) => Effect.Effect<AuthenticatedUser, UserNotFound | StoreError>
  /** Deletes the user: their tokens fail on every node from the moment the tombstone arrives. */
  readonly remove: (id: string) => Effect.Effect<AuthenticatedUser, UserNotFound | StoreError>
  /** True until the first user exists: the moment to bootstrap an admin. */
  readonly isEmpty: Effect.Effect<boolean, StoreError>
}

export class Users extends Context.Tag("knot/http/Users")<Users, UsersShape>() {
  static readonly layer: Layer.Layer<Users, never, Store> = Layer.effect(
    Users,
    Effect.gen(function*() {
      const store = yield* Store
      const decodeUser = storedDecoder(UserSchema)
      const decodeRole = storedDecoder(UserRoleSetting)
      const decodeStatus = storedDecoder(UserStatus)
      /** A setting counts for the account it was set for only: not for one created since under the same name. */
      const forAccount = <A extends { readonly account?: string }>(setting: A | undefined, user: User) =>
        setting !== undefined && setting.account === user.account ? setting : undefined
      const view = (id: string, user: User, role?: UserRoleSetting, status?: UserStatus): AuthenticatedUser => {
        const disabled = forAccount(status, user)?.disabled ?? user.disabled === true
        return {
          id,
          name: user.name,
          role: forAccount(role, user)?.role ?? user.role,
          ...(disabled ? { disabled: true as const } : {})
        }
      }
      /** Every readable record of `kind`, by id. */
      const valuesOf = <A>(kind: string, decoder: RecordDecoder<A>) =>
        Effect.flatMap(store.list(kind), (records) =>
          Effect.map(
            readableValues(store, records, (record) => Either.map(decoder(record), (value) => [record.id, value] as const)),
            (entries) => new Map(entries)
          ))

      const servedNow = servedAccounts(store, yield* Effect.serviceOption(OwnLeafName))

      /** The user record of `id`; not found when it is gone or this leaf does not serve it. */
      const served = (id: string): Effect.Effect<User, UserNotFound | StoreError> =>
        Effect.gen(function*() {
          const user = yield* readableValueOf(store, userKind, id, decodeUser)
          if (user === undefined || !(yield* servedNow)(id)) return yield* new UserNotFound({ user: id })
          return user
        })

      const get = (id: string): Effect.Effect<AuthenticatedUser, UserNotFound | StoreError> =>
        Effect.gen(function*() {
          const user = yield* served(id)
          return view(id, user, yield* readableValueOf(store, userRoleKind, id, decodeRole), yield* readableValueOf(store, userStatusKind, id, decodeStatus))
        })

      const accountOf = (id: string) => Effect.map(served(id), (user) => user.account)

      const mintAccount = Effect.map(
        Effect.all([Random.nextIntBetween(0, 0x10000000), Random.nextIntBetween(0, 0x10000000)]),
        ([high, low]) => `${high.toString(16).padStart(7, "0")}${low.toString(16).padStart(7, "0")}`
      )

      const create = (name: string, role: UserRole, account?: string) =>
        Effect.gen(function*() {
          const existing = yield* store.get(userKind, name)
          if (existing !== undefined && !existing.deleted) return yield* new UserNameTaken({ name })
          const user: User = { name, role, account: account ?? (yield* mintAccount) }
          yield* store.put(userKind, name, user)
          return view(name, user)
        })

      const list = Effect.gen(function*() {
        const users = yield* valuesOf(userKind, decodeUser)
        const roles = yield* valuesOf(userRoleKind, decodeRole)
        const statuses = yield* valuesOf(userStatusKind, decodeStatus)
        const servedHere = yield* servedNow
        return [...users]
          .filter(([id]) => servedHere(id))
          .map(([id, user]) => view(id, user, roles.get(id), statuses.get(id)))
      })

      /** Each setting changed is a record of its own, so that changes of different settings on different nodes both stand. */
      const update = (id: string, change: UserChange) =>
        Effect.gen(function*() {
          const { account } = yield* served(id)
          const ofAccount = account === undefined ? {} : { account }
          const ops: Array<BatchOp> = []
          if (change.role !== undefined) {
            ops.push({ _tag: "Put", kind: userRoleKind, id, value: { role: change.role, ...ofAccount } })
          }
          if (change.disabled !== undefined) {
            ops.push({ _tag: "Put", kind: userStatusKind, id, value: { disabled: change.disabled, ...ofAccount } })
          }
          if (ops.length > 0) yield* store.batch(ops)
          return yield* get(id)
        })

      const remove = (id: string) =>
        Effect.gen(function*() {
          const current = yield* get(id)
          const settings: Array<BatchOp> = []
          for (const kind of [userRoleKind, userStatusKind]) {
            const record = yield* store.get(kind, id)
            if (record !== undefined && !record.deleted) settings.push({ _tag: "Delete", kind, id })
          }
          yield* store.batch([{ _tag: "Delete", kind: userKind, id }, ...settings])
          return current
        })

      return {
        create,
        list,
        get,
        accountOf,
        update,
        remove,
        isEmpty: Effect.map(store.list(userKind), (records) => records.length === 0)
      }
    })
  )
}
