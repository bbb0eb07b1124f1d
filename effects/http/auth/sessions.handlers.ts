/** Browser sign-in, sessions and passwords, over the Sessions and Passwords services. */
import { HttpApiBuilder, HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option } from "effect"
import { OriginLink } from "../../../actors/node/originLink.ts"
import { BadRequest, Conflict, Forbidden, NotFound, Unauthorized } from "../api.errors.ts"
import { KnotApi } from "../api.ts"
import { noteRequestUser } from "../audit/requestUser.ts"
import { storeErrors, userNotFound } from "../domainErrors.ts"
import { requireAdmin, requireOwner } from "./access.ts"
import { CurrentUser } from "./currentUser.ts"
import { Passwords } from "./passwords.ts"
import { CurrentPasswordNeeded, PasswordsOnCluster } from "./session.errors.ts"
import { Sessions, type SessionView } from "./sessions.ts"
import { csrfProofOf, SESSION_COOKIE } from "./sessionSecret.ts"
import { makeSignInLimiter, type SignInPolicy } from "./signInLimiter.ts"
import { countFailedSignIn, refuseWhileLockedOut } from "./signInRefusals.ts"
import { sameOrigin } from "./sameOrigin.ts"
import type { SessionView as SessionViewWire } from "./sessionsGroup.ts"

/** Secure whenever the browser reached us over TLS, directly or through a proxy that says so. */
const isTls = (request: HttpServerRequest.HttpServerRequest) =>
  request.headers["x-forwarded-proto"] === "https" || request.url.startsWith("https:")

const setSessionCookie = (secret: string, maxAgeMs: number) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    HttpApp.appendPreResponseHandler((_request, response) =>
      Effect.orDie(HttpServerResponse.setCookie(response, SESSION_COOKIE, secret, {
        httpOnly: true,
        sameSite: "strict",
        path: "/",
        secure: isTls(request),
        maxAge: `${Math.max(0, Math.floor(maxAgeMs / 1000))} seconds`
      }))))

const wireView = (session: SessionView, current: string | undefined): SessionViewWire => ({
  ...session,
  ...(session.id === current ? { current: true as const } : {})
})

const cookieOf = Effect.map(HttpServerRequest.HttpServerRequest, (request) => request.cookies[SESSION_COOKIE])

export const makeSignInHandlers = (policy?: SignInPolicy) =>
  HttpApiBuilder.group(KnotApi, "signIn", (handlers) =>
    Effect.gen(function*() {
      const passwords = yield* Passwords
      const sessions = yield* Sessions
      const limiter = makeSignInLimiter(policy)
      return handlers.handle("signIn", ({ payload }) =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          // A form on another site cannot post JSON without CORS, but an Origin says it outright.
          if (!sameOrigin(request)) {
            return yield* new Forbidden({ code: "cross_origin", message: "sign-in is accepted only from this node's own pages" })
          }
          const address = Option.getOrElse(request.remoteAddress, () => "unknown")
          yield* refuseWhileLockedOut(limiter, address)
          const user = yield* passwords.verify(payload.name, payload.password).pipe(
            Effect.tapError((error) =>
              error._tag === "WrongCredentials"
                ? Effect.gen(function*() {
                  yield* countFailedSignIn("wrong_password")
                  const { failures, lockedForMs } = yield* limiter.failed(address)
                  yield* Effect.logWarning(
                    `failed password sign-in from ${address} as ${JSON.stringify(payload.name.slice(0, 64))} (${failures} in a row)` +
                      (lockedForMs > 0 ? `; locked out for ${lockedForMs} ms` : "")
                  )
                })
                : Effect.void
            ),
            Effect.catchTags({
              WrongCredentials: (error) => new Unauthorized({ code: "wrong_credentials", message: error.message }),
              AccountDisabled: (error) => new Forbidden({ code: "account_disabled", message: error.message }),
              ...storeErrors
            })
          )
          yield* limiter.succeeded(address)
          yield* noteRequestUser(user.id)
          const opened = yield* Effect.catchTags(sessions.open(user, request.headers["user-agent"]), storeErrors)
          yield* setSessionCookie(opened.secret, opened.expiresAt - opened.createdAt)
          const { secret: _secret, csrf, ...session } = opened
          return { user, session: { ...session, current: true as const }, csrf }
        }))
    }))

export const SessionsHandlers = HttpApiBuilder.group(KnotApi, "sessions", (handlers) =>
  Effect.gen(function*() {
    const passwords = yield* Passwords
    const sessions = yield* Sessions
    const originLink = yield* Effect.serviceOption(OriginLink)

    /** The session of the request's cookie; a request signed with a token has none. */
    const currentSession = Effect.gen(function*() {
      const secret = yield* cookieOf
      const signedIn = secret === undefined ? undefined : yield* Effect.option(sessions.authenticate(secret))
      if (signedIn === undefined || Option.isNone(signedIn)) {
        return yield* new NotFound({ code: "no_session", message: "this request carries a token, not a browser session" })
      }
      return { secret: secret!, ...signedIn.value }
    })

    const currentId = Effect.map(Effect.option(currentSession), Option.match({ onNone: () => undefined, onSome: (s) => s.session.id }))

    return handlers
      .handle("list", ({ urlParams }) =>
        Effect.gen(function*() {
          const list = urlParams.all === "true"
            ? yield* Effect.zipRight(requireAdmin, sessions.list())
            : yield* Effect.flatMap(CurrentUser, (user) => sessions.list({ user: user.id }))
          const current = yield* currentId
          return list.map((session) => wireView(session, current))
        }).pipe(Effect.catchTags(storeErrors)))
      .handle("current", () =>
        Effect.map(currentSession, ({ user, session, secret }) => ({
          user,
          session: { ...session, current: true as const },
          csrf: csrfProofOf(secret)
        })))
      .handle("signOut", () =>
        Effect.gen(function*() {
          const { session } = yield* currentSession
          yield* Effect.catchTag(sessions.revoke(session.id), "SessionNotFound", () => Effect.void)
          yield* setSessionCookie("", 0)
        }).pipe(Effect.catchTags(storeErrors)))
      .handle("revoke", ({ path }) =>
        Effect.flatMap(sessions.get(path.id), (session) =>
          Effect.zipRight(requireOwner(session.user, `session ${session.id}`), sessions.revoke(session.id))).pipe(
            Effect.catchTags({
              SessionNotFound: (error) => new NotFound({ code: "session_not_found", message: error.message }),
              ...storeErrors
            })
          ))
      .handle("setPassword", ({ path, payload }) =>
        Effect.gen(function*() {
          if (Option.isSome(originLink)) {
            const { origin } = yield* originLink.value.status
            return yield* Effect.fail(new PasswordsOnCluster({ origin }))
          }
          const caller = yield* requireOwner(path.name, `the account ${path.name}`)
          if (caller.id === path.name && (yield* passwords.has(caller.id))) {
            if (payload.currentPassword === undefined) return yield* new CurrentPasswordNeeded({ wrong: false })
            yield* passwords.verify(caller.id, payload.currentPassword).pipe(
              Effect.catchTag("WrongCredentials", () => new CurrentPasswordNeeded({ wrong: true }))
            )
          }
          yield* passwords.set(path.name, payload.password)
          yield* sessions.revokeAllOf(path.name, yield* currentId)
        }).pipe(
          Effect.catchTags({
            PasswordsOnCluster: (error) => new Conflict({ code: "passwords_on_cluster", message: error.message }),
            CurrentPasswordNeeded: (error) => new Forbidden({ code: "current_password_needed", message: error.message }),
            PasswordRefused: (error) => new BadRequest({ code: "password_refused", message: error.message }),
            AccountDisabled: (error) => new Forbidden({ code: "account_disabled", message: error.message }),
            UserNotFound: userNotFound,
            ...storeErrors
          })
        ))
  }))
