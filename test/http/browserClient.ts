/**
 * A browser's side of the wire, for HTTP-level tests of sign-in and sessions: raw requests with
 * a cookie or a token, a user given a password by the admin, and a sign-in that returns the
 * `knot_session=...` cookie to send back.
 */
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import { TestApi } from "./apiHarness.ts"

export interface Answer {
  readonly status: number
  readonly body: any
  readonly setCookie: string | null
  readonly location: string | null
}

export const send = (url: string, method: string, path: string, options: {
  readonly cookie?: string
  readonly json?: unknown
  readonly headers?: Record<string, string>
  readonly token?: string
} = {}): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.cookie !== undefined) headers.cookie = options.cookie
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
    if (options.json !== undefined) headers["content-type"] = "application/json"
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      redirect: "manual",
      ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) })
    })
    const text = await response.text()
    return {
      status: response.status,
      body: text === "" ? undefined : JSON.parse(text),
      setCookie: response.headers.get("set-cookie"),
      location: response.headers.get("location")
    }
  })

/** A user `name` with `password`, set by the admin. */
export const userWithPassword = (name: string, password: string, role: "admin" | "user" = "user") =>
  Effect.gen(function*() {
    const api = yield* TestApi
    yield* api.userWithToken(name, role)
    const set = yield* send(api.url, "PUT", `/api/users/${name}/password`, { token: api.adminToken, json: { password } })
    expect(set.status).toBe(204)
  })

export const signIn = (name: string, password: string) =>
  Effect.gen(function*() {
    const api = yield* TestApi
    const answer = yield* send(api.url, "POST", "/api/sessions", { json: { name, password } })
    const cookie = answer.setCookie?.split(";")[0]
    return { ...answer, cookie: cookie ?? "" }
  })
