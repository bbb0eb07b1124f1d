/** API tokens as replicated `token` records holding only the SHA-256 of their secret. */
import { Clock, Context, Effect, Either, Layer } from "effect"
import type { Token } from "../../../storage/kinds/token.ts"
import { Token as TokenSchema } from "../../../storage/kinds/token.ts"
import { readableValueOf, readableValues } from "../../../storage/readableRecords.ts"
import { Store } from "../../../storage/store.ts"
import type { StoreError } from "../../../storage/store.errors.ts"
import type { IssuedToken, TokenView } from "../api.schemas.ts"
import { AccountDisabled, AdminTokenTooShort, InvalidToken, TokenNotFound } from "./auth.errors.ts"
import type { AuthenticatedUser } from "./currentUser.ts"
import { SecureRandom } from "./secureRandom.ts"
import { formatSecret, hashSecret, minimumSecretLength, sameHash, tokenIdBytes, tokenIdOf, tokenRandomBytes } from "./tokenSecret.ts"
import { storedDecoder } from "./storedRecords.ts"
import { Users } from "./users.ts"

export const tokenKind = "token"

export interface IssueToken {
  /** The user id it acts as (the caller checked it exists and may be acted for). */
  readonly user: string
  readonly name?: string
}

export interface TokensShape {
  /** A new random secret; the only time it is seen. */
  readonly issue: (request: IssueToken) => Effect.Effect<IssuedToken, StoreError>
  /** Stores a secret chosen elsewhere (KNOT_ADMIN_TOKEN). */
  readonly adopt: (
    request: IssueToken & { readonly secret: string }
  ) => Effect.Effect<IssuedToken, AdminTokenTooShort | StoreError>
  readonly authenticate: (secret: string) => Effect.Effect<AuthenticatedUser, InvalidToken | AccountDisabled | StoreError>
  /** Every token, or those of one user. */
  readonly list: (filter?: { readonly user?: string }) => Effect.Effect<ReadonlyArray<TokenView>, StoreError>
  readonly get: (id: string) => Effect.Effect<TokenView, TokenNotFound | StoreError>
  readonly revoke: (id: string) => Effect.Effect<void, TokenNotFound | StoreError>
}

const view = (id: string, token: Token): TokenView => ({
  id,
  user: token.user,
  createdAt: token.createdAt,
  ...(token.name === undefined ? {} : { name: token.name })
})

export class Tokens extends Context.Tag("knot/http/Tokens")<Tokens, TokensShape>() {
  static readonly layer: Layer.Layer<Tokens, never, Store | SecureRandom | Users> = Layer.effect(
    Tokens,
    Effect.gen(function*() {
      const store = yield* Store
      const random = yield* SecureRandom
      const users = yield* Users
      const decode = storedDecoder(TokenSchema)

      /** The user's account now, or null when the user is gone: a token must name the same. */
      const accountNow = (user: string) =>
        Effect.catchTag(users.accountOf(user), "UserNotFound", () => Effect.succeed(null))

      const save = (id: string, secret: string, request: IssueToken) =>
        Effect.gen(function*() {
          const account = yield* accountNow(request.user)
          const token: Token = {
            user: request.user,
            hash: hashSecret(secret),
            createdAt: yield* Clock.currentTimeMillis,
            ...(request.name === undefined ? {} : { name: request.name }),
            ...(account === null || account === undefined ? {} : { account })
          }
          yield* store.put(tokenKind, id, token)
          return { ...view(id, token), secret }
        })

      const issue = (request: IssueToken) =>
        Effect.gen(function*() {
          const { id, secret } = formatSecret(yield* random.bytes(tokenIdBytes), yield* random.bytes(tokenRandomBytes))
          return yield* save(id, secret, request)
        })

      const adopt = (request: IssueToken & { readonly secret: string }) =>
        request.secret.length < minimumSecretLength
          ? Effect.fail(new AdminTokenTooShort({ length: request.secret.length }))
          : save(tokenIdOf(request.secret), request.secret, request)

      const find = (id: string): Effect.Effect<Token | undefined, StoreError> =>
        readableValueOf(store, tokenKind, id, decode)

      const authenticate = (secret: string) =>
        Effect.gen(function*() {
          const token = yield* find(tokenIdOf(secret))
          if (token === undefined || !sameHash(token.hash, hashSecret(secret))) return yield* new InvalidToken()
          const user = yield* Effect.catchTag(users.get(token.user), "UserNotFound", () => new InvalidToken())
          if (token.account !== (yield* accountNow(user.id))) return yield* new InvalidToken()
          if (user.disabled === true) return yield* new AccountDisabled({ user: user.name })
          return user
        })

      const list = (filter?: { readonly user?: string }) =>
        Effect.flatMap(store.list(tokenKind), (records) =>
          Effect.map(
            readableValues(store, records, (record) => Either.map(decode(record), (token) => view(record.id, token))),
            (tokens) => filter?.user === undefined ? tokens : tokens.filter((token) => token.user === filter.user)
          ))

      const get = (id: string): Effect.Effect<TokenView, TokenNotFound | StoreError> =>
        Effect.flatMap(find(id), (token) =>
          token === undefined ? Effect.fail(new TokenNotFound({ id })) : Effect.succeed(view(id, token)))

      const revoke = (id: string) => Effect.zipRight(get(id), Effect.asVoid(store.delete(tokenKind, id)))

      return { issue, adopt, authenticate, list, get, revoke }
    })
  )
}
