/**
 * Browser sign-in, as the API declares it: `POST /api/sessions` trades a name and password
 * for a session cookie (no token needed, so it is a group of its own); the rest manage
 * sessions and passwords behind the usual authentication.
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized } from "../api.errors.ts"
import { UserView } from "../api.schemas.ts"
import { Authentication } from "./authentication.ts"

const strict = { parseOptions: { onExcessProperty: "error" } } as const

export const SignInRequest = Schema.Struct({
  name: Schema.String,
  password: Schema.String
}).annotations(strict)

export const SessionView = Schema.Struct({
  id: Schema.String,
  user: Schema.String,
  createdAt: Schema.Number,
  expiresAt: Schema.Number,
  agent: Schema.optionalWith(Schema.String, { exact: true }),
  /** The session the request came with. */
  current: Schema.optionalWith(Schema.Literal(true), { exact: true })
})
export type SessionView = typeof SessionView.Type

/** Who is signed in, and the proof a page sends as `X-Knot-CSRF` with every write. */
export const SignedInView = Schema.Struct({
  user: UserView,
  session: SessionView,
  csrf: Schema.String
})
export type SignedInView = typeof SignedInView.Type

export const SetPasswordRequest = Schema.Struct({
  password: Schema.String,
  /** Needed to change your own password once you have one. */
  currentPassword: Schema.optionalWith(Schema.String, { exact: true })
}).annotations(strict)

export class SignInGroup extends HttpApiGroup.make("signIn")
  .add(
    HttpApiEndpoint.post("signIn", "/api/sessions").setPayload(SignInRequest).addSuccess(SignedInView, { status: 201 })
      .addError(Unauthorized).addError(Forbidden).addError(TooManyRequests)
      .annotate(
        OpenApi.Description,
        "Signs a browser in: sets the session cookie (HttpOnly, SameSite=Strict) and answers the CSRF proof"
      )
  )
  .annotate(OpenApi.Description, "Sign-in with a name and password, for browsers")
{}

export class SessionsGroup extends HttpApiGroup.make("sessions")
  .add(
    HttpApiEndpoint.get("list", "/api/sessions")
      .setUrlParams(Schema.Struct({ all: Schema.optionalWith(Schema.Literal("true", "false"), { exact: true }) }))
      .addSuccess(Schema.Array(SessionView)).addError(Forbidden)
  )
  .add(
    HttpApiEndpoint.get("current", "/api/sessions/current").addSuccess(SignedInView).addError(NotFound)
      .annotate(OpenApi.Description, "The session of the request's cookie, with its CSRF proof")
  )
  .add(
    HttpApiEndpoint.del("signOut", "/api/sessions/current").addError(NotFound)
      .annotate(OpenApi.Description, "Ends the session of the request's cookie and clears the cookie")
  )
  .add(
    HttpApiEndpoint.del("revoke", "/api/sessions/:id").setPath(Schema.Struct({ id: Schema.String }))
      .addError(Forbidden).addError(NotFound)
      .annotate(OpenApi.Description, "Ends a session on every node (your own; an admin's: anyone's)")
  )
  .add(
    HttpApiEndpoint.put("setPassword", "/api/users/:name/password").setPath(Schema.Struct({ name: Schema.String }))
      .setPayload(SetPasswordRequest)
      .addError(Forbidden).addError(NotFound).addError(Conflict).addError(Unauthorized)
      .annotate(
        OpenApi.Description,
        "Sets a user's password (your own, with the current one; an admin's: anyone's); their other sessions end"
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Browser sessions and passwords")
{}
