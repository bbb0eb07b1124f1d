/**
 * A leaf's revocation stands whatever else writes its leaf record: the node recording the
 * credential's first use writes that record again, from a read that may predate the revocation.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Layer, Option, Stream } from "effect"
import { AccountsLive } from "../../effects/http/auth/accounts.ts"
import { Leaves } from "../../effects/http/auth/leaves.ts"
import { SecureRandom } from "../../effects/http/auth/secureRandom.ts"
import { makeLeafGate } from "../../cli/server/leafGate.live.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"

const clusterNode = AccountsLive.pipe(
  Layer.provideMerge(MemoryStore.layer({ nodeId: NodeId.make("n-cluster0001"), maxDriftMs: 60_000 })),
  Layer.provideMerge(SecureRandom.live)
)

describe("a revoked leaf", () => {
  it.effect("stays revoked when its first use is recorded from a read made before the revocation", () =>
    Effect.gen(function*() {
      const leaves = yield* Leaves
      yield* leaves.add({ name: "laptop", users: [] })
      // A node checks the credential's first hello before it has heard of the revocation...
      const granted = yield* leaves.grant("laptop", "n-stolen00001")
      if (Either.isLeft(granted)) return expect.fail(granted.left)
      yield* leaves.revoke("laptop")
      // ...and records the first use after it: the leaf record, written again, has no revocation.
      yield* granted.right.bind
      const record = yield* (yield* Store).get("leaf", "laptop")
      expect(record?.value).not.toHaveProperty("revokedAt")

      const again = yield* leaves.grant("laptop", "n-stolen00001")
      expect(Either.isLeft(again) && again.left).toBe("leaf laptop's credential was revoked")
      expect((yield* leaves.get("laptop")).state).toBe("revoked")
      expect((yield* leaves.list).map((leaf) => [leaf.name, leaf.state])).toEqual([["laptop", "revoked"]])
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
