/**
 * Whom a leaf signs in: the accounts its own leaf record names. A leaf added again without a
 * user keeps her records, so the record, not what the store holds, decides.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Layer, Option } from "effect"
import { AccountsLive } from "../../effects/http/auth/accounts.ts"
import { OwnLeafName } from "../../effects/http/auth/ownLeaf.ts"
import { SecureRandom } from "../../effects/http/auth/secureRandom.ts"
import { Sessions } from "../../effects/http/auth/sessions.ts"
import { Tokens } from "../../effects/http/auth/tokens.ts"
import { Users } from "../../effects/http/auth/users.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"

const accountsOn = (ownLeaf: Layer.Layer<never> | Layer.Layer<OwnLeafName>) =>
  AccountsLive.pipe(
    Layer.provideMerge(MemoryStore.layer({ nodeId: NodeId.make("n-leaf0000001"), maxDriftMs: 60_000 })),
    Layer.provideMerge(SecureRandom.live),
    Layer.provideMerge(ownLeaf)
  )
const onLeaf = accountsOn(Layer.succeed(OwnLeafName, "laptop"))

/** Alice and Bea with a token each; which of them signs in. */
const signedIn = (leafRecord: { readonly users: unknown } | undefined) =>
  Effect.gen(function*() {
    const users = yield* Users
    const tokens = yield* Tokens
    const secrets = new Map<string, string>()
    for (const name of ["alice", "bea"]) {
      yield* users.create(name, "user")
      secrets.set(name, (yield* tokens.issue({ user: name })).secret)
    }
    if (leafRecord !== undefined) {
      yield* (yield* Store).put("leaf", "laptop", { ...leafRecord, verifier: "ab".repeat(32), createdAt: 1 })
    }
    const admitted: Array<string> = []
    for (const [name, secret] of secrets) {
      if (Either.isRight(yield* Effect.either(tokens.authenticate(secret)))) admitted.push(name)
    }
    return { admitted, listed: (yield* users.list).map((user) => user.name).sort() }
  })

describe("the accounts a leaf serves", () => {
  it.effect("are those its own leaf record names: another account it holds signs no one in", () =>
    Effect.gen(function*() {
      expect(yield* signedIn({ users: ["alice"] })).toEqual({ admitted: ["alice"], listed: ["alice"] })
      expect(Either.isLeft(yield* Effect.either((yield* Users).get("bea")))).toBe(true)
    }).pipe(Effect.provide(onLeaf)))

  it.effect("are every account it holds while it holds no leaf record of its own", () =>
    Effect.gen(function*() {
      expect(yield* signedIn(undefined)).toEqual({ admitted: ["alice", "bea"], listed: ["alice", "bea"] })
    }).pipe(Effect.provide(onLeaf)))

  it.effect("are every account it holds while its own leaf record does not read, as with none", () =>
    Effect.gen(function*() {
      expect(yield* signedIn({ users: "alice" })).toEqual({ admitted: ["alice", "bea"], listed: ["alice", "bea"] })
    }).pipe(Effect.provide(onLeaf)))

  it.effect("are not narrowed on a cluster node by the leaf records it holds", () =>
    Effect.gen(function*() {
      expect(yield* signedIn({ users: ["alice"] })).toEqual({ admitted: ["alice", "bea"], listed: ["alice", "bea"] })
    }).pipe(Effect.provide(accountsOn(Layer.empty))))

  it.effect("end an open browser session of a user the leaf's record leaves out", () =>
    Effect.gen(function*() {
      const store = yield* Store
      const sessions = yield* Sessions
      const bea = yield* (yield* Users).create("bea", "user")
      yield* store.put("leaf", "laptop", { users: ["bea"], verifier: "ab".repeat(32), createdAt: 1 })
      const { secret } = yield* sessions.open(bea, undefined)
      const watching = yield* Effect.fork(sessions.untilEnded(secret))
      yield* Effect.repeatN(Effect.yieldNow(), 20)
      expect(yield* Fiber.poll(watching)).toEqual(Option.none())
      yield* store.put("leaf", "laptop", { users: ["alice"], verifier: "ab".repeat(32), createdAt: 2 })
      yield* Fiber.join(watching)
    }).pipe(Effect.provide(onLeaf)))
})
