/** Browser sessions as replicated `session` records: opened by a password, ended by sign-out, revocation or age. */
import { Clock, Context, Duration, Effect, Either, Layer, Queue, Schedule } from "effect"
import { type Session, Session as SessionSchema, sessionKind } from "../../../storage/kinds/session.ts"
import { leafKind } from "../../../storage/kinds/leaf.ts"
import { readableValueOf, readableValues } from "../../../storage/readableRecords.ts"
import { Store } from "../../../storage/store.ts"
import type { StoreError } from "../../../storage/store.errors.ts"
import { AccountDisabled } from "./auth.errors.ts"
import type { AuthenticatedUser } from "./currentUser.ts"
import { SecureRandom } from "./secureRandom.ts"
import { InvalidSession, SessionNotFound } from "./session.errors.ts"
import { csrfProofOf, formatSessionSecret, sessionIdOf } from "./sessionSecret.ts"
import { sameHash, hashSecret } from "./tokenSecret.ts"
import { storedDecoder } from "./storedRecords.ts"
import { userRecordKinds, Users } from "./users.ts"

/** A week: long enough not to nag, short enough that a forgotten browser does not stay signed in. */
export const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000
/** How often a node drops the expired sessions from its store. */
export const SESSION_SWEEP_EVERY = Duration.hours(1)

export interface SessionView {
  readonly id: string
  readonly user: string
  readonly createdAt: number
  readonly expiresAt: number
  readonly agent?: string
}

export interface OpenedSession extends SessionView {
  /** The cookie's value: seen only here. */
  readonly secret: string
  readonly csrf: string
}

export interface SignedIn {
  readonly user: AuthenticatedUser
  readonly session: SessionView
}

export interface SessionsShape {
  readonly open: (user: AuthenticatedUser, agent: string | undefined) => Effect.Effect<OpenedSession, StoreError>
  readonly authenticate: (secret: string) => Effect.Effect<SignedIn, InvalidSession | AccountDisabled | StoreError>
  readonly list: (filter?: { readonly user?: string }) => Effect.Effect<ReadonlyArray<SessionView>, StoreError>
  readonly get: (id: string) => Effect.Effect<SessionView, SessionNotFound | StoreError>
  readonly revoke: (id: string) => Effect.Effect<void, SessionNotFound | StoreError>
  /** Ends every session of `user` but `keep` (a password change signs the other browsers out). */
  readonly revokeAllOf: (user: string, keep?: string) => Effect.Effect<void, StoreError>
  /**
   * Drops from this node's store, without a trace (`Store.expire`), every session past its end
   * and every tombstone of one that would have ended by now, whoever wrote them: every node
   * sweeps its own store, and since nothing is written, a leaf may drop any it holds and no
   * tombstone is left to keep for good. Returns how many went.
   */
  readonly sweepExpired: Effect.Effect<number, StoreError>
  /** Deletes every session record of `user`, whatever account it names (the user is being deleted). */
  readonly forget: (user: string) => Effect.Effect<void, StoreError>
  /**
   * Succeeds once the session of `secret` no longer signs in (revoked on any node, expired, its
   * user removed or disabled): what a page's open feeds and streams wait on to close at once.
   */
  readonly untilEnded: (secret: string) => Effect.Effect<void>
}

const view = (id: string, session: Session): SessionView => ({
  id,
  user: session.user,
  createdAt: session.createdAt,
  expiresAt: session.expiresAt,
  ...(session.agent === undefined ? {} : { agent: session.agent })
})

/** A User-Agent as a short label: printable, at most 100 characters, as the Label field asks. */
const agentLabel = (agent: string | undefined): string | undefined => {
  const printable = agent?.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim().slice(0, 100)
  return printable === undefined || printable === "" ? undefined : printable
}


export class Sessions extends Context.Tag("knot/http/Sessions")<Sessions, SessionsShape>() {
  static readonly layer: Layer.Layer<Sessions, never, Store | SecureRandom | Users> = Layer.effect(
    Sessions,
    Effect.gen(function*() {
      const store = yield* Store
      const random = yield* SecureRandom
      const users = yield* Users
      const decode = storedDecoder(SessionSchema)

      const find = (id: string) => readableValueOf(store, sessionKind, id, decode)

      /** The user's account now, or null when the user is gone: a session must name the same. */
      const accountNow = (user: string) =>
        Effect.catchTag(users.accountOf(user), "UserNotFound", () => Effect.succeed(null))

      const open = (user: AuthenticatedUser, agent: string | undefined) =>
        Effect.gen(function*() {
          const account = yield* accountNow(user.id)
          const { id, secret } = formatSessionSecret(yield* random.bytes(8), yield* random.bytes(32))
          const now = yield* Clock.currentTimeMillis
          const label = agentLabel(agent)
          const session: Session = {
            user: user.id,
            hash: hashSecret(secret),
            createdAt: now,
            expiresAt: now + SESSION_LIFETIME_MS,
            ...(label === undefined ? {} : { agent: label }),
            ...(account === null || account === undefined ? {} : { account })
          }
          yield* store.put(sessionKind, id, session)
          return { ...view(id, session), secret, csrf: csrfProofOf(secret) }
        })

      const authenticate = (secret: string) =>
        Effect.gen(function*() {
          const id = sessionIdOf(secret)
          const session = id === undefined ? undefined : yield* find(id)
          const now = yield* Clock.currentTimeMillis
          if (id === undefined || session === undefined || !sameHash(session.hash, hashSecret(secret)) || session.expiresAt <= now) {
            return yield* new InvalidSession()
          }
          const user = yield* Effect.catchTag(users.get(session.user), "UserNotFound", () => new InvalidSession())
          if (session.account !== (yield* accountNow(user.id))) return yield* new InvalidSession()
          if (user.disabled === true) return yield* new AccountDisabled({ user: user.name })
          return { user, session: view(id, session) }
        })

      const list = (filter?: { readonly user?: string }) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const sessions = yield* readableValues(
            store,
            yield* store.list(sessionKind),
            (record) => Either.map(decode(record), (session) => ({ view: view(record.id, session), account: session.account }))
          )
          const accounts = new Map<string, string | undefined | null>()
          const live: Array<SessionView> = []
          for (const { view: session, account } of sessions) {
            if (session.expiresAt <= now || (filter?.user !== undefined && session.user !== filter.user)) continue
            if (!accounts.has(session.user)) accounts.set(session.user, yield* accountNow(session.user))
            // A session of an account deleted (and perhaps made again) signs nobody in: not listed.
            if (accounts.get(session.user) === account) live.push(session)
          }
          return live
        })

      const get = (id: string) =>
        Effect.flatMap(find(id), (session) =>
          session === undefined ? Effect.fail(new SessionNotFound({ id })) : Effect.succeed(view(id, session)))

      const revoke = (id: string) => Effect.zipRight(get(id), Effect.asVoid(store.delete(sessionKind, id)))

      const revokeAllOf = (user: string, keep?: string) =>
        Effect.flatMap(list({ user }), (sessions) =>
          Effect.forEach(
            sessions.filter((session) => session.id !== keep),
            (session) => store.delete(sessionKind, session.id),
            { discard: true }
          ))

      const sweepExpired = Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        return yield* store.expire(sessionKind, (record) =>
          record.deleted
            // A session is written once, at open, and deleted by a node that had it, so its
            // tombstone is newer than its start: past a lifetime after the tombstone, the session
            // it ends has ended anyway, and a copy some node still sends is refused as expired.
            ? record.version.wall + SESSION_LIFETIME_MS <= now
            : Either.match(decode(record), { onLeft: () => false, onRight: (session) => session.expiresAt <= now }))
      })

      const forget = (user: string) =>
        Effect.gen(function*() {
          const records = yield* store.list(sessionKind)
          const theirs = records.filter((record) => Either.getOrUndefined(decode(record))?.user === user)
          if (theirs.length > 0) yield* store.batch(theirs.map((record) => ({ _tag: "Delete" as const, kind: sessionKind, id: record.id })))
        })

      const untilEnded = (secret: string) =>
        Effect.scoped(Effect.gen(function*() {
          // Subscribed before the first check, so a revocation between the two is not missed.
          const changes = yield* store.subscribe
          while (true) {
            const signedIn = yield* Effect.either(authenticate(secret))
            if (Either.isLeft(signedIn)) {
              const ended = signedIn.left._tag === "InvalidSession" || signedIn.left._tag === "AccountDisabled"
              if (ended) return
              // A store that fails to answer says nothing of the session: look again shortly.
              yield* Effect.sleep(Duration.seconds(1))
              continue
            }
            const { session, user } = signedIn.right
            // Any leaf record: on a leaf, its own decides whom it serves (ownLeaf.ts).
            const concerns = (kind: string, id: string) =>
              (kind === sessionKind && id === session.id) || (userRecordKinds.has(kind) && id === user.id) || kind === leafKind
            const changed = Effect.repeat(Queue.take(changes), {
              until: (change) => concerns(change.record.kind, change.record.id)
            })
            const expiry = Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sleep(Duration.millis(session.expiresAt - now)))
            yield* Effect.raceFirst(changed, expiry)
          }
        }))

      return { open, authenticate, list, get, revoke, revokeAllOf, sweepExpired, forget, untilEnded }
    })
  )
}

/** Drops the expired sessions from this node's store now and then every SESSION_SWEEP_EVERY, for as long as the scope lasts. */
export const sessionSweep: Layer.Layer<never, never, Sessions> = Layer.scopedDiscard(
  Effect.flatMap(Sessions, (sessions) =>
    Effect.forkScoped(
      sessions.sweepExpired.pipe(
        Effect.tap((swept) => (swept > 0 ? Effect.logDebug(`swept ${swept} expired browser sessions`) : Effect.void)),
        Effect.catchAll((error) => Effect.logWarning(`sweeping expired browser sessions: ${error.message}`)),
        Effect.repeat(Schedule.spaced(SESSION_SWEEP_EVERY))
      )
    ))
)
