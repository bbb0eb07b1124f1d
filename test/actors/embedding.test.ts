import { expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { Spaces, startNode, Templates, TestNode } from "../../actors/index.ts"

it.scoped("a test of your own runs a whole node in memory and drives its time", () =>
  Effect.gen(function*() {
    yield* (yield* Templates).put({ name: "dev", image: "busybox", env: {}, volumes: [], zones: [] })
    yield* startNode()
    const spaces = yield* Spaces
    yield* spaces.create({ name: "dev", template: "dev", owner: "alice" })
    yield* TestClock.adjust("10 seconds")
    expect((yield* spaces.find("alice", "dev")).observed).toBe("running")
  }).pipe(Effect.provide(TestNode.layer({ zone: "us-east" })))
)
