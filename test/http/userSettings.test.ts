/**
 * An admin's change of a user, made on one node before it has heard of another admin's change
 * on another node: each setting is a record of its own (storage/kinds/userSettings.ts), so both
 * stand once the nodes have swapped their records, and no change undoes a deletion.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Users, type UsersShape } from "../../effects/http/auth/users.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { Store, type StoreShape } from "../../storage/store.ts"
import { exchangeUntilQuiet } from "../storage/storeFixtures.ts"

/** A node: its store and the Users service over it. */
const node = (id: string) =>
  Effect.gen(function*() {
    const { store } = yield* MemoryStore.make({ nodeId: NodeId.make(id), maxDriftMs: 60_000 })
    const users = yield* Effect.provide(Users, Users.layer.pipe(Layer.provide(Layer.succeed(Store, store))))
    return { store, users } satisfies { store: StoreShape; users: UsersShape }
  })

/** Two nodes that both hold alice's account, as a settled cluster does. */
const twoNodes = Effect.gen(function*() {
  const a = yield* node("node-a")
  const b = yield* node("node-b")
  yield* a.users.create("alice", "user")
  yield* exchangeUntilQuiet(a.store, b.store)
  return { a, b }
})

describe("an admin's change of a user, made apart from another's", () => {
  it.scoped("a disable on one node and a role change on another both stand", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoNodes
      yield* a.users.update("alice", { disabled: true })
      yield* b.users.update("alice", { role: "admin" })
      yield* exchangeUntilQuiet(a.store, b.store)
      for (const users of [a.users, b.users]) {
        expect(yield* users.get("alice")).toEqual({ id: "alice", name: "alice", role: "admin", disabled: true })
      }
    }))

  it.scoped("a role change on a node that has not heard of a deletion does not bring the user back", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoNodes
      yield* a.users.remove("alice")
      yield* b.users.update("alice", { role: "admin" })
      yield* exchangeUntilQuiet(a.store, b.store)
      for (const users of [a.users, b.users]) {
        expect((yield* Effect.flip(users.get("alice")))._tag).toBe("UserNotFound")
        expect(yield* users.list).toEqual([])
      }
    }))

  it.scoped("a user created again under the same name takes none of the old account's settings", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoNodes
      yield* b.users.update("alice", { role: "admin", disabled: true })
      yield* exchangeUntilQuiet(a.store, b.store)
      const old = yield* a.users.accountOf("alice")
      yield* a.users.remove("alice")
      yield* exchangeUntilQuiet(a.store, b.store)
      // As a node that had not heard of the deletion would have written them after it.
      yield* b.store.batch([
        { _tag: "Put", kind: "user-role", id: "alice", value: { role: "admin", account: old } },
        { _tag: "Put", kind: "user-status", id: "alice", value: { disabled: true, account: old } }
      ])
      yield* a.users.create("alice", "user")
      yield* exchangeUntilQuiet(a.store, b.store)
      expect(yield* b.users.get("alice")).toEqual({ id: "alice", name: "alice", role: "user" })
    }))

  it.scoped("an account an older version disabled in its user record stays disabled until enabled", () =>
    Effect.gen(function*() {
      const { store, users } = yield* node("node-a")
      yield* store.put("user", "bob", { name: "bob", role: "user", disabled: true, account: "0000000000000b" })
      expect((yield* users.get("bob")).disabled).toBe(true)
      yield* users.update("bob", { role: "admin" })
      expect(yield* users.get("bob")).toEqual({ id: "bob", name: "bob", role: "admin", disabled: true })
      yield* users.update("bob", { disabled: false })
      expect(yield* users.get("bob")).toEqual({ id: "bob", name: "bob", role: "admin" })
      expect(yield* users.list).toEqual([{ id: "bob", name: "bob", role: "admin" }])
    }))
})
