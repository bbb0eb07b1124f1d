import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { AccountsLive } from "../../effects/http/auth/accounts.ts"
import { bootstrapAdmin, bootstrapMessage } from "../../effects/http/auth/bootstrapAdmin.ts"
import { SecureRandom } from "../../effects/http/auth/secureRandom.ts"
import { Tokens } from "../../effects/http/auth/tokens.ts"
import { Users } from "../../effects/http/auth/users.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"

const freshNode = AccountsLive.pipe(
  Layer.provideMerge(MemoryStore.layer({ nodeId: NodeId.make("node-a"), maxDriftMs: 60_000 })),
  Layer.provideMerge(SecureRandom.live)
)

const withEnvironment = (variables: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(variables))))

describe("bootstrapAdmin", () => {
  it.effect("creates an admin and a token that authenticates as it, on an empty store", () =>
    Effect.gen(function*() {
      const outcome = yield* bootstrapAdmin().pipe(withEnvironment({}))
      if (outcome._tag !== "Created") return expect.unreachable("an empty store was not bootstrapped")
      expect(outcome.source).toBe("generated")
      expect(outcome.token.secret).toMatch(/^knot_[0-9a-f]{16}_[0-9a-f]{64}$/)
      const tokens = yield* Tokens
      expect(yield* tokens.authenticate(outcome.token.secret)).toEqual({ id: "admin", name: "admin", role: "admin" })
    }).pipe(Effect.provide(freshNode)))

  it.effect("does nothing once a user exists, so a restart mints no second token", () =>
    Effect.gen(function*() {
      yield* bootstrapAdmin().pipe(withEnvironment({}))
      const again = yield* bootstrapAdmin().pipe(withEnvironment({}))
      expect(again).toEqual({ _tag: "AlreadyInitialized" })
      const tokens = yield* Tokens
      expect((yield* tokens.list()).length).toBe(1)
    }).pipe(Effect.provide(freshNode)))

  it.effect("does nothing on a store that holds any user, admin or not", () =>
    Effect.gen(function*() {
      const users = yield* Users
      yield* users.create("alice", "user")
      expect(yield* bootstrapAdmin().pipe(withEnvironment({}))).toEqual({ _tag: "AlreadyInitialized" })
    }).pipe(Effect.provide(freshNode)))

  it.effect("takes the admin's token from KNOT_ADMIN_TOKEN", () =>
    Effect.gen(function*() {
      const chosen = "a-long-operator-chosen-secret"
      const outcome = yield* bootstrapAdmin().pipe(withEnvironment({ KNOT_ADMIN_TOKEN: chosen }))
      expect(outcome._tag === "Created" && outcome.source).toBe("environment")
      const tokens = yield* Tokens
      expect((yield* tokens.authenticate(chosen)).role).toBe("admin")
    }).pipe(Effect.provide(freshNode)))

  it.effect("mints nothing on a node that joins a cluster, and says how a cluster gets its first admin", () =>
    Effect.gen(function*() {
      const outcome = yield* bootstrapAdmin({ mayGenerate: false }).pipe(withEnvironment({}))
      expect(outcome).toEqual({ _tag: "JoiningCluster" })
      const users = yield* Users
      expect(yield* users.isEmpty).toBe(true)
      expect(bootstrapMessage(outcome)).toContain("knot server --init")
    }).pipe(Effect.provide(freshNode)))

  it.effect("takes KNOT_ADMIN_TOKEN also on a joining node, since every node writes the same admin and token", () =>
    Effect.gen(function*() {
      const chosen = "a-long-operator-chosen-secret"
      const outcome = yield* bootstrapAdmin({ mayGenerate: false }).pipe(withEnvironment({ KNOT_ADMIN_TOKEN: chosen }))
      if (outcome._tag !== "Created") return expect.unreachable("the token from the environment was not taken")
      const elsewhere = yield* bootstrapAdmin({ adminToken: Redacted.make(chosen) }).pipe(Effect.provide(freshNode))
      if (elsewhere._tag !== "Created") return expect.unreachable("the second node was not bootstrapped")
      expect(elsewhere.user.id).toBe(outcome.user.id)
      expect(elsewhere.token.id).toBe(outcome.token.id)
    }).pipe(Effect.provide(freshNode)))

  it.effect("gives the admin one account on every node bootstrapped from KNOT_ADMIN_TOKEN, so its token holds whichever replica wins", () =>
    Effect.gen(function*() {
      const chosen = Redacted.make("a-long-operator-chosen-secret")
      const accountOnAFreshNode = Effect.gen(function*() {
        yield* bootstrapAdmin({ adminToken: chosen })
        return yield* (yield* Users).accountOf("admin")
      }).pipe(Effect.provide(freshNode))
      const here = yield* accountOnAFreshNode
      expect(here).toBeDefined()
      expect(yield* accountOnAFreshNode).toBe(here)
    }))

  it.effect("refuses a KNOT_ADMIN_TOKEN short enough to guess", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(bootstrapAdmin({ adminToken: Redacted.make("short") }))
      expect(error._tag).toBe("AdminTokenTooShort")
      expect(error.message).toContain("at least 20 characters")
    }).pipe(Effect.provide(freshNode)))

  it.effect("its message shows a generated token and how to log in with it", () =>
    Effect.gen(function*() {
      const outcome = yield* bootstrapAdmin().pipe(withEnvironment({}))
      if (outcome._tag !== "Created") return expect.unreachable("an empty store was not bootstrapped")
      const message = bootstrapMessage(outcome, "http://127.0.0.1:3000") ?? ""
      expect(message).toContain(outcome.token.secret)
      expect(message).toContain(`knot login --server http://127.0.0.1:3000 --token ${outcome.token.secret}`)
    }).pipe(Effect.provide(freshNode)))

  it("its message never repeats a token taken from the environment", () => {
    const message = bootstrapMessage({
      _tag: "Created",
      user: { id: "admin", name: "admin", role: "admin" },
      token: { id: "t", user: "admin", createdAt: 0, secret: "from-the-environment-123" },
      source: "environment"
    })
    expect(message).not.toContain("from-the-environment-123")
    expect(bootstrapMessage({ _tag: "AlreadyInitialized" })).toBeUndefined()
  })
})
