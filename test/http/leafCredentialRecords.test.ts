/**
 * A leaf's credential is revoked, and bound to the node that first used it, by records of
 * their own beside its leaf record: two admins on two nodes may write the leaf record at once,
 * and the later write, from a read that predates the other, wins everywhere.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Fiber, Layer, Option, Stream, TestClock } from "effect"
import { AccountsLive } from "../../effects/http/auth/accounts.ts"
import { Leaves } from "../../effects/http/auth/leaves.ts"
import { Users } from "../../effects/http/auth/users.ts"
import { SecureRandom } from "../../effects/http/auth/secureRandom.ts"
import { makeLeafGate } from "../../cli/server/leafGate.live.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { Store, type StoreShape } from "../../storage/store.ts"
import { exchangeUntilQuiet } from "../storage/storeFixtures.ts"

const nodeLayer = (id: string) =>
  AccountsLive.pipe(
    Layer.provideMerge(MemoryStore.layer({ nodeId: NodeId.make(id), maxDriftMs: 60_000 })),
    Layer.provideMerge(SecureRandom.live)
  )

const clusterNode = nodeLayer("n-cluster0001")

/** One of two cluster nodes, each with its own store, that swap records when told. */
const node = (id: string) =>
  Effect.map(Layer.build(nodeLayer(id)), (context) => ({
    leaves: Context.get(context, Leaves),
    store: Context.get(context, Store),
    users: Context.get(context, Users)
  }))

/** The credential verifier of leaf `name` as `side`'s store holds its record. */
const verifierOn = (side: { readonly store: StoreShape }, name: string) =>
  Effect.map(side.store.get("leaf", name), (record) => (record?.value as { readonly verifier?: string } | undefined)?.verifier)

describe("a leaf's credential", () => {
  it.effect("stays revoked when a write from a read made before the revocation lands after it", () =>
    Effect.gen(function*() {
      const leaves = yield* Leaves
      const store = yield* Store
      yield* leaves.add({ name: "laptop", users: [] })
      // Another node, not yet told of the revocation, writes the leaf record as it read it...
      const before = (yield* store.get("leaf", "laptop"))!.value
      yield* leaves.revoke("laptop")
      // ...and its write, the later one, wins: the record no longer says it is revoked.
      yield* store.put("leaf", "laptop", before)
      expect((yield* store.get("leaf", "laptop"))?.value).not.toHaveProperty("revokedAt")

      const again = yield* leaves.grant("laptop", "n-stolen00001")
      expect(Either.isLeft(again) && again.left).toBe("leaf laptop's credential was revoked")
      expect((yield* leaves.get("laptop")).state).toBe("revoked")
      expect((yield* leaves.list).map((leaf) => [leaf.name, leaf.state])).toEqual([["laptop", "revoked"]])
    }).pipe(Effect.provide(clusterNode)))

  it.effect("keeps an admin's change made while its first use is recorded, and the binding too", () =>
    Effect.gen(function*() {
      const leaves = yield* Leaves
      const store = yield* Store
      yield* (yield* Users).create("cleo", "user")
      yield* leaves.add({ name: "laptop", users: [] })
      const granted = yield* leaves.grant("laptop", "n-laptop00001")
      if (Either.isLeft(granted)) return expect.fail(granted.left)
      const record = (yield* store.get("leaf", "laptop"))!.value as object
      yield* store.put("leaf", "laptop", { ...record, users: ["cleo"] })
      yield* granted.right.bind
      expect(yield* leaves.get("laptop")).toMatchObject({ users: ["cleo"], node: "n-laptop00001", state: "joined" })
      const other = yield* leaves.grant("laptop", "n-stolen00001")
      expect(Either.isLeft(other) && other.left).toBe("leaf laptop's credential was already used by node n-laptop00001")
    }).pipe(Effect.provide(clusterNode)))

  it.effect("can be added again, with a credential no revocation covers", () =>
    Effect.gen(function*() {
      const leaves = yield* Leaves
      yield* leaves.add({ name: "laptop", users: [] })
      yield* leaves.revoke("laptop")
      yield* leaves.add({ name: "laptop", users: [] })
      expect(Either.isRight(yield* leaves.grant("laptop", "n-laptop00001"))).toBe(true)
      expect((yield* leaves.get("laptop")).state).toBe("waiting")
    }).pipe(Effect.provide(clusterNode)))

  it.scoped("closes links when the revocation arrives alone, as gossip may bring it", () =>
    Effect.gen(function*() {
      const gate = yield* makeLeafGate
      const store = yield* Store
      const heard = yield* Effect.fork(Stream.runHead(gate.revoked))
      // The stream subscribes once its fiber runs: written until it has heard, since one write may come first.
      for (let at = 1; at <= 100 && Option.isNone(yield* Fiber.poll(heard)); at++) {
        yield* store.put("leaf-revocation", "cd".repeat(32), { leaf: "laptop", revokedAt: at })
        yield* Effect.yieldNow()
      }
      expect(Option.isSome(yield* Fiber.poll(heard)), "the gate heard no revocation").toBe(true)
      expect(yield* Fiber.join(heard)).toEqual(Option.some("laptop"))
    }).pipe(Effect.provide(clusterNode)))
})

describe("a leaf added again", () => {
  it.scoped("keeps its new credential when a node that had not heard of it changes the old one", () =>
    Effect.gen(function*() {
      const a = yield* node("n-cluster000a")
      const b = yield* node("n-cluster000b")
      yield* a.users.create("cleo", "user")
      yield* a.leaves.add({ name: "laptop", users: [] })
      yield* exchangeUntilQuiet(a.store, b.store)
      yield* a.leaves.revoke("laptop")
      yield* a.leaves.add({ name: "laptop", users: [] })
      const added = yield* verifierOn(a, "laptop")
      // Made later, from b's read of the old credential: its version is the later one.
      yield* TestClock.adjust("1 second")
      yield* b.leaves.set("laptop", { users: ["cleo"] })
      yield* exchangeUntilQuiet(a.store, b.store)
      for (const side of [a, b]) {
        expect(yield* verifierOn(side, "laptop")).toBe(added)
        expect((yield* side.leaves.get("laptop")).state).toBe("waiting")
        expect(Either.isRight(yield* side.leaves.grant("laptop", "n-laptop00001"))).toBe(true)
      }
    }))

  it.scoped("replaces the old credential on every node though its own node's clock is behind", () =>
    Effect.gen(function*() {
      const a = yield* node("n-cluster000a")
      const b = yield* node("n-cluster000b")
      // Added first on a node whose clock ran ahead of b's.
      yield* a.store.put("leaf", "laptop", { users: [], verifier: "ab".repeat(32), createdAt: 10_000 })
      yield* exchangeUntilQuiet(a.store, b.store)
      yield* b.leaves.revoke("laptop")
      const { leaf } = yield* b.leaves.add({ name: "laptop", users: [] })
      expect(leaf.createdAt).toBe(10_001)
      yield* exchangeUntilQuiet(a.store, b.store)
      expect(yield* verifierOn(a, "laptop")).toBe(yield* verifierOn(b, "laptop"))
      expect(Either.isRight(yield* a.leaves.grant("laptop", "n-laptop00001"))).toBe(true)
    }))
})
