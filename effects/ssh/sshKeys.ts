/** Public keys on users' profiles, as replicated `ssh-key` records keyed by the key's digest. */
import { Clock, Context, Effect, Either, Layer } from "effect"
import { type SshKey, SshKey as SshKeySchema, sshKeyKind } from "../../storage/kinds/sshKey.ts"
import { readableValueOf, readableValues } from "../../storage/readableRecords.ts"
import { Store } from "../../storage/store.ts"
import type { StoreError } from "../../storage/store.errors.ts"
import { storedDecoder } from "../http/auth/storedRecords.ts"
import { Users } from "../http/auth/users.ts"
import { fingerprintOf, keyIdOf, parsePublicKey } from "./publicKeyText.ts"
import { SshKeyInvalid, SshKeyNotFound, SshKeyTaken } from "./sshKeys.errors.ts"
import type { SshKeyView } from "./sshKeysGroup.ts"

export interface AddSshKey {
  /** The user id whose profile gets it (the caller checked they may act for them). */
  readonly user: string
  readonly publicKey: string
  readonly name?: string
}

export interface SshKeysShape {
  readonly add: (request: AddSshKey) => Effect.Effect<SshKeyView, SshKeyInvalid | SshKeyTaken | StoreError>
  /** Every key, or those of one user. */
  readonly list: (filter?: { readonly user?: string }) => Effect.Effect<ReadonlyArray<SshKeyView>, StoreError>
  readonly get: (id: string) => Effect.Effect<SshKeyView, SshKeyNotFound | StoreError>
  readonly remove: (id: string) => Effect.Effect<SshKeyView, SshKeyNotFound | StoreError>
  /** The key offered in SSH wire form as a profile holds it (its user, its `TYPE BASE64`), if anyone's does. */
  readonly holderOf: (blob: Uint8Array) => Effect.Effect<{ readonly user: string; readonly publicKey: string } | undefined, StoreError>
}

const typeOf = (line: string) => line.slice(0, line.indexOf(" "))

const view = (id: string, key: SshKey): SshKeyView => ({
  id,
  user: key.user,
  name: key.name,
  type: typeOf(key.publicKey),
  fingerprint: fingerprintOf(Buffer.from(key.publicKey.slice(key.publicKey.indexOf(" ") + 1), "base64")),
  addedAt: key.addedAt
})

export class SshKeys extends Context.Tag("knot/ssh/SshKeys")<SshKeys, SshKeysShape>() {
  static readonly layer: Layer.Layer<SshKeys, never, Store | Users> = Layer.effect(
    SshKeys,
    Effect.gen(function*() {
      const store = yield* Store
      const users = yield* Users
      const decode = storedDecoder(SshKeySchema)

      /** The user's account now, or null when the user is gone: a key must name the same. */
      const accountNow = (user: string) =>
        Effect.catchTag(users.accountOf(user), "UserNotFound", () => Effect.succeed(null))

      const find = (id: string): Effect.Effect<SshKey | undefined, StoreError> =>
        readableValueOf(store, sshKeyKind, id, decode)

      const add = (request: AddSshKey) =>
        Effect.gen(function*() {
          const parsed = yield* Either.mapLeft(parsePublicKey(request.publicKey), (reason) => new SshKeyInvalid({ reason }))
          const existing = yield* find(parsed.id)
          if (existing !== undefined && existing.user !== request.user) {
            return yield* new SshKeyTaken({ fingerprint: parsed.fingerprint })
          }
          const account = yield* accountNow(request.user)
          const key: SshKey = {
            user: request.user,
            publicKey: parsed.line,
            name: request.name ?? (parsed.comment.trim() === "" ? parsed.type : parsed.comment.trim().slice(0, 100)),
            addedAt: yield* Clock.currentTimeMillis,
            ...(account === null || account === undefined ? {} : { account })
          }
          yield* store.put(sshKeyKind, parsed.id, key)
          return view(parsed.id, key)
        })

      const list = (filter?: { readonly user?: string }) =>
        Effect.flatMap(store.list(sshKeyKind), (records) =>
          Effect.map(
            readableValues(store, records, (record) => Either.map(decode(record), (key) => view(record.id, key))),
            (keys) => (filter?.user === undefined ? keys : keys.filter((key) => key.user === filter.user))
          ))

      const get = (id: string) =>
        Effect.flatMap(find(id), (key) => (key === undefined ? Effect.fail(new SshKeyNotFound({ key: id })) : Effect.succeed(view(id, key))))

      const remove = (id: string) => Effect.tap(get(id), () => store.delete(sshKeyKind, id))

      const holderOf = (blob: Uint8Array) =>
        Effect.flatMap(find(keyIdOf(blob)), (key) =>
          key === undefined
            ? Effect.succeed(undefined)
            : Effect.map(accountNow(key.user), (account) => (key.account === account ? key : undefined)))

      return { add, list, get, remove, holderOf }
    })
  )
}
