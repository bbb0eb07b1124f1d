import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, LogLevel } from "effect"
import { defaultSignInPolicy } from "../../effects/http/auth/signInLimiter.ts"
import { makeTestApiOf, TestApi } from "./apiHarness.ts"

const wrongToken = (n: number) => `knot_${"0".repeat(16)}_${String(n).padStart(64, "0")}`

describe("failed sign-ins", () => {
  it.scoped("50 wrong tokens from one address are slowed: past the free few, the address must wait", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const statuses: Array<number> = []
      for (let n = 0; n < 50; n++) statuses.push((yield* api.request("GET", "/api/spaces", { token: wrongToken(n) })).status)
      const free = defaultSignInPolicy.freeFailures
      expect(statuses.slice(0, free)).toEqual(Array(free).fill(401))
      expect(statuses.slice(free + 1).every((status) => status === 429)).toBe(true)
      const locked = yield* api.request("GET", "/api/spaces", { token: api.adminToken })
      expect(locked.status).toBe(429)
      expect(locked.body.message).toMatch(/too many failed sign-ins from .*; try again in \d+ s/)
    }).pipe(Effect.provide(makeTestApiOf({ signIn: defaultSignInPolicy }))))

  it.scoped("each failed sign-in is logged with its address and token id", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => {
        lines.push(Array.isArray(message) ? message.join(" ") : String(message))
      }))
      yield* Effect.gen(function*() {
        const api = yield* TestApi
        yield* api.request("GET", "/api/spaces", { token: wrongToken(7) })
      }).pipe(Effect.provide(makeTestApiOf({ signIn: defaultSignInPolicy })), Effect.provide(capture), Logger.withMinimumLogLevel(LogLevel.Warning))
      expect(lines.some((line) => /failed sign-in from \S+ \(token id 0{16}, 1 in a row\)/.test(line))).toBe(true)
    }))

  it.scoped("a good token clears an address's failures", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      for (let n = 0; n < defaultSignInPolicy.freeFailures - 1; n++) yield* api.request("GET", "/api/spaces", { token: wrongToken(n) })
      yield* api.request("GET", "/api/spaces", { token: api.adminToken })
      for (let n = 0; n < defaultSignInPolicy.freeFailures - 1; n++) yield* api.request("GET", "/api/spaces", { token: wrongToken(n) })
      expect((yield* api.request("GET", "/api/spaces", { token: api.adminToken })).status).toBe(200)
    }).pipe(Effect.provide(makeTestApiOf({ signIn: defaultSignInPolicy }))))
})
