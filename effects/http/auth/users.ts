/** Users as replicated `user` records. A user's id is their name (see api.schemas.ts). */
import { Context, Effect, Either, Layer, Random } from "effect"
import type { User, UserRole } from "../../../storage/kinds/user.ts"
import { User as UserSchema } from "../../../storage/kinds/user.ts"
import type { RecordDecoder } from "../../../storage/readableRecords.ts"
import { readableValue, readableValues } from "../../../storage/readableRecords.ts"
import { Store } from "../../../storage/store.ts"
import type { StoreError } from "../../../storage/store.errors.ts"
import { UserNameTaken, UserNotFound } from "./auth.errors.ts"
import { OwnLeafName, servedAccounts } from "./ownLeaf.ts"
import type { AuthenticatedUser } from "./currentUser.ts"
import { storedDecoder } from "./storedRecords.ts"

export const userKind = "user"

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
  /** Changes a user's role or disables or enables them; replicated like any record. */
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
      const view = (id: string, user: User): AuthenticatedUser => ({
        id,
        name: user.name,
        role: user.role,
        ...(user.disabled === true ? { disabled: true as const } : {})
      })
      const decode: RecordDecoder<AuthenticatedUser> = (record) =>
        Either.map(decodeUser(record), (user) => view(record.id, user))

      const servedNow = servedAccounts(store, yield* Effect.serviceOption(OwnLeafName))

      /** The account `id` as `decoder` reads it; not found when the record is gone or this leaf does not serve it. */
      const served = <A>(id: string, decoder: RecordDecoder<A>): Effect.Effect<A, UserNotFound | StoreError> =>
        Effect.gen(function*() {
          const user = yield* readableValue(store, yield* store.get(userKind, id), decoder)
          if (user === undefined || !(yield* servedNow)(id)) return yield* new UserNotFound({ user: id })
          return user
        })

      const get = (id: string): Effect.Effect<AuthenticatedUser, UserNotFound | StoreError> => served(id, decode)

      const accountOf = (id: string) => Effect.map(served(id, decodeUser), (user) => user.account)

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

      const list = Effect.flatMap(store.list(userKind), (records) =>
        Effect.zipWith(readableValues(store, records, decode), servedNow, (users, served) => users.filter((user) => served(user.id))))

      const update = (id: string, change: UserChange) =>
        Effect.gen(function*() {
          const current = yield* get(id)
          const account = yield* accountOf(id)
          const disabled = change.disabled ?? current.disabled === true
          const user: User = {
            name: current.name,
            role: change.role ?? current.role,
            ...(disabled ? { disabled } : {}),
            ...(account === undefined ? {} : { account })
          }
          yield* store.put(userKind, id, user)
          return view(id, user)
        })

      const remove = (id: string) =>
        Effect.gen(function*() {
          const current = yield* get(id)
          yield* store.delete(userKind, id)
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
