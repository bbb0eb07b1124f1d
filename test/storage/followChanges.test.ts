import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Queue } from "effect"
import { followChanges } from "../../storage/followChanges.ts"
import type { Change } from "../../storage/store.ts"
import { remoteRecord, version } from "./storeFixtures.ts"

const change = (id: string): Change => ({ record: remoteRecord("template", id, {}, version(1, "n1")), source: "remote" })

describe("following a store's changes", () => {
  it.effect("handles every change in the order applied, those waiting together and those that come later", () =>
    Effect.gen(function*() {
      const changes = yield* Queue.unbounded<Change>()
      const seen: Array<string> = []
      yield* Queue.offerAll(changes, [change("a"), change("b"), change("c")])
      const follower = yield* Effect.fork(followChanges(changes, (c) => Effect.sync(() => seen.push(c.record.id))))
      yield* Effect.yieldNow()
      yield* Queue.offer(changes, change("d"))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(follower)
      expect(seen).toEqual(["a", "b", "c", "d"])
    }))
})
