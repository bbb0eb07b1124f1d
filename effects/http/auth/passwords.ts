/** Users' passwords as replicated `password` records, for signing in from a browser. */
import { Clock, Context, Effect, Layer } from "effect"
import { Password as PasswordSchema, passwordKind } from "../../../storage/kinds/password.ts"
import { readableValueOf } from "../../../storage/readableRecords.ts"
import { Store } from "../../../storage/store.ts"
import type { StoreError } from "../../../storage/store.errors.ts"
import { AccountDisabled, type UserNotFound } from "./auth.errors.ts"
import type { AuthenticatedUser } from "./currentUser.ts"
import { decoyHash, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwordHash.ts"
import { PasswordRefused, WrongCredentials } from "./session.errors.ts"
import { storedDecoder } from "./storedRecords.ts"
import { Users } from "./users.ts"

export interface PasswordsShape {
  /** Sets (or replaces) the user's password; the caller checked who may. */
  readonly set: (user: string, password: string) => Effect.Effect<void, PasswordRefused | UserNotFound | StoreError>
  /** The user whose name and password these are; one error for any mismatch. */
  readonly verify: (
    name: string,
    password: string
  ) => Effect.Effect<AuthenticatedUser, WrongCredentials | AccountDisabled | StoreError>
  readonly has: (user: string) => Effect.Effect<boolean, StoreError>
  /** Forgets the user's password (the user is being deleted). */
  readonly remove: (user: string) => Effect.Effect<void, StoreError>
}

export class Passwords extends Context.Tag("knot/http/Passwords")<Passwords, PasswordsShape>() {
  static readonly layer: Layer.Layer<Passwords, never, Store | Users> = Layer.effect(
    Passwords,
    Effect.gen(function*() {
      const store = yield* Store
      const users = yield* Users
      const decode = storedDecoder(PasswordSchema)

      /** The user's password, if it was set for the account the user record names now. */
      const find = (user: string) =>
        Effect.gen(function*() {
          const stored = yield* readableValueOf(store, passwordKind, user, decode)
          if (stored === undefined) return undefined
          const account = yield* Effect.catchTag(users.accountOf(user), "UserNotFound", () => Effect.succeed(null))
          return account !== null && stored.account === account ? stored : undefined
        })

      const set = (user: string, password: string) =>
        Effect.gen(function*() {
          if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
            return yield* new PasswordRefused({ length: password.length })
          }
          const account = yield* users.get(user)
          const current = yield* users.accountOf(account.id)
          const hash = yield* hashPassword(password)
          yield* store.put(passwordKind, account.id, {
            user: account.id,
            hash,
            setAt: yield* Clock.currentTimeMillis,
            ...(current === undefined ? {} : { account: current })
          })
        })

      const verify = (name: string, password: string) =>
        Effect.gen(function*() {
          const stored = password.length > MAX_PASSWORD_LENGTH ? undefined : yield* find(name)
          const matches = yield* verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH), stored?.hash ?? decoyHash)
          if (stored === undefined || !matches) return yield* new WrongCredentials()
          const user = yield* Effect.catchTag(users.get(name), "UserNotFound", () => new WrongCredentials())
          if (user.disabled === true) return yield* new AccountDisabled({ user: user.name })
          return user
        })

      const remove = (user: string) =>
        Effect.flatMap(store.get(passwordKind, user), (record) =>
          record === undefined || record.deleted ? Effect.void : Effect.asVoid(store.delete(passwordKind, user)))

      return { set, verify, has: (user) => Effect.map(find(user), (found) => found !== undefined), remove }
    })
  )
}
