/**
 * What becomes of a user's sessions and password over time: every node drops the expired sessions
 * from its store without a trace, and a user deleted and created again under the same name inherits
 * neither the old password nor the old sessions, even records that outlived the deletion (as
 * one written on a node cut off from it would). The clock is the test's: a week passes at once.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { AccountsLive } from "../../effects/http/auth/accounts.ts"
import { Passwords } from "../../effects/http/auth/passwords.ts"
import { SecureRandom } from "../../effects/http/auth/secureRandom.ts"
import { SESSION_LIFETIME_MS, SESSION_SWEEP_EVERY, Sessions, sessionSweep } from "../../effects/http/auth/sessions.ts"
import { Tokens } from "../../effects/http/auth/tokens.ts"
import { SshKeys } from "../../effects/ssh/sshKeys.ts"
import { Users } from "../../effects/http/auth/users.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId, StoredRecord, Version } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"

const accounts = AccountsLive.pipe(
  Layer.provideMerge(MemoryStore.layer({ nodeId: NodeId.make("node-a"), maxDriftMs: 60_000 })),
  Layer.provideMerge(SecureRandom.live)
)

/** An ed25519 public key (the wire blob need only parse; no private half is used). */
const aliceKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop"

/** The session's record as stored: undefined once dropped without a trace, a tombstone once revoked. */
const stored = (id: string) => Effect.flatMap(Store, (store) => store.get("session", id))

const othersSession = (id: string, node: string, user: string) =>
  new StoredRecord({
    kind: "session",
    id,
    value: { user, hash: "0".repeat(64), createdAt: 0, expiresAt: 1000 },
    version: new Version({ wall: 0, counter: 0, node: NodeId.make(node) }),
    deleted: false
  })

describe("expired sessions", () => {
  it.effect("are dropped without a trace once past their end; live ones stay", () =>
    Effect.gen(function*() {
      const users = yield* Users
      const sessions = yield* Sessions
      const alice = yield* users.create("alice", "user")
      const old = yield* sessions.open(alice, undefined)
      yield* TestClock.adjust(SESSION_LIFETIME_MS - 1000)
      const fresh = yield* sessions.open(alice, undefined)
      yield* TestClock.adjust(1000)
      const digest = yield* (yield* Store).digest
      expect(yield* sessions.sweepExpired).toBe(1)
      expect(yield* stored(old.id)).toBeUndefined()
      expect((yield* stored(fresh.id))?.deleted).toBe(false)
      expect(yield* (yield* Store).digest).toEqual(digest)
    }).pipe(Effect.provide(accounts)))

  it.effect("are dropped whichever node wrote them, as every node sweeps its own store", () =>
    Effect.gen(function*() {
      yield* (yield* Users).create("alice", "user")
      yield* (yield* Store).merge(othersSession("00000000000000b1", "node-b", "alice"))
      yield* TestClock.adjust(2000)
      expect(yield* (yield* Sessions).sweepExpired).toBe(1)
      expect(yield* stored("00000000000000b1")).toBeUndefined()
    }).pipe(Effect.provide(accounts)))

  it.effect("of a user this node does not hold are dropped too: dropping writes nothing a leaf may not", () =>
    Effect.gen(function*() {
      yield* (yield* Store).merge(othersSession("00000000000000c1", "node-b", "carol"))
      yield* TestClock.adjust(2000)
      expect(yield* (yield* Sessions).sweepExpired).toBe(1)
      expect(yield* stored("00000000000000c1")).toBeUndefined()
    }).pipe(Effect.provide(accounts)))

  it.effect("leave no tombstone of a revoked one once it would have ended", () =>
    Effect.gen(function*() {
      const sessions = yield* Sessions
      const opened = yield* sessions.open(yield* (yield* Users).create("alice", "user"), undefined)
      yield* sessions.revoke(opened.id)
      yield* TestClock.adjust(SESSION_LIFETIME_MS - 1)
      expect(yield* sessions.sweepExpired).toBe(0)
      expect((yield* stored(opened.id))?.deleted).toBe(true)
      yield* TestClock.adjust(1)
      expect(yield* sessions.sweepExpired).toBe(1)
      expect(yield* stored(opened.id)).toBeUndefined()
    }).pipe(Effect.provide(accounts)))

  it.scoped("are swept by the node on its own, hour by hour", () =>
    Effect.gen(function*() {
      const users = yield* Users
      const sessions = yield* Sessions
      const opened = yield* sessions.open(yield* users.create("alice", "user"), undefined)
      yield* Layer.launch(sessionSweep).pipe(Effect.forkScoped)
      yield* TestClock.adjust(SESSION_LIFETIME_MS)
      yield* TestClock.adjust(SESSION_SWEEP_EVERY)
      expect(yield* stored(opened.id)).toBeUndefined()
    }).pipe(Effect.provide(accounts)))
})

describe("a user deleted and created again", () => {
  it.effect("does not sign in with the old password", () =>
    Effect.gen(function*() {
      const users = yield* Users
      const passwords = yield* Passwords
      yield* users.create("alice", "user")
      yield* passwords.set("alice", "old password")
      yield* users.remove("alice")
      yield* users.create("alice", "user")
      const error = yield* Effect.flip(passwords.verify("alice", "old password"))
      expect(error._tag).toBe("WrongCredentials")
      expect(yield* passwords.has("alice")).toBe(false)
    }).pipe(Effect.provide(accounts)))

  it.effect("is not signed in by a session of the old account, nor shown it", () =>
    Effect.gen(function*() {
      const users = yield* Users
      const sessions = yield* Sessions
      const old = yield* sessions.open(yield* users.create("alice", "user"), undefined)
      yield* users.remove("alice")
      yield* users.create("alice", "user")
      const error = yield* Effect.flip(sessions.authenticate(old.secret))
      expect(error._tag).toBe("InvalidSession")
      expect(yield* sessions.list({ user: "alice" })).toEqual([])
    }).pipe(Effect.provide(accounts)))

  it.effect("is not signed in by a token of the old account", () =>
    Effect.gen(function*() {
      const users = yield* Users
      const tokens = yield* Tokens
      yield* users.create("alice", "user")
      const old = yield* tokens.issue({ user: "alice" })
      yield* users.remove("alice")
      yield* users.create("alice", "user")
      const error = yield* Effect.flip(tokens.authenticate(old.secret))
      expect(error._tag).toBe("InvalidToken")
      const fresh = yield* tokens.issue({ user: "alice" })
      expect((yield* tokens.authenticate(fresh.secret)).name).toBe("alice")
    }).pipe(Effect.provide(accounts)))

  it.effect("is not signed in over SSH by a key of the old account", () =>
    Effect.gen(function*() {
      const users = yield* Users
      const keys = yield* SshKeys
      const blob = Buffer.from(aliceKey.split(" ")[1]!, "base64")
      yield* users.create("alice", "user")
      yield* keys.add({ user: "alice", publicKey: aliceKey })
      expect((yield* keys.holderOf(blob))?.user).toBe("alice")
      yield* users.remove("alice")
      yield* users.create("alice", "user")
      expect(yield* keys.holderOf(blob)).toBeUndefined()
      yield* keys.add({ user: "alice", publicKey: aliceKey })
      expect((yield* keys.holderOf(blob))?.user).toBe("alice")
    }).pipe(Effect.provide(accounts)))

  it.effect("keeps the account through a role change or a disable", () =>
    Effect.gen(function*() {
      const users = yield* Users
      const sessions = yield* Sessions
      const opened = yield* sessions.open(yield* users.create("alice", "user"), undefined)
      yield* users.update("alice", { role: "admin" })
      expect((yield* sessions.authenticate(opened.secret)).user.role).toBe("admin")
    }).pipe(Effect.provide(accounts)))
})
