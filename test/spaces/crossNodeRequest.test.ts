/**
 * A request made on one node while the owner node reports on the space: the two writes cross
 * (neither node has seen the other's), and both must survive the exchange of deltas.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Layer, TestClock } from "effect"
import { startNode } from "../../actors/node/node.actor.ts"
import { Templates } from "../../actors/node/templates.ts"
import { TestNode } from "../../actors/node/testNode.ts"
import { spaceKind, spaceStatusKind } from "../../actors/space/spaceRecord.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import type { ContainerDriverShape } from "../../effects/container/containerDriver.ts"
import { versionOrder } from "../../storage/record.ts"
import type { StoreShape } from "../../storage/store.ts"
import { Store } from "../../storage/store.ts"
import { allContainers, devTemplate, readSpace, spaceObserved } from "./fixtures.ts"

/** One round of anti-entropy between two stores: each sends what the other lacks. */
const exchange = (a: StoreShape, b: StoreShape) =>
  Effect.gen(function*() {
    yield* b.applyDelta(yield* a.since(yield* b.digest))
    yield* a.applyDelta(yield* b.since(yield* a.digest))
  })

describe("a request made on another node than the owner", () => {
  it.scoped("survives an owner's status write that crossed it, and the owner carries it out", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const holdCreate = (driver: ContainerDriverShape): ContainerDriverShape => ({
        ...driver,
        create: (spec) => Effect.zipRight(Deferred.await(gate), driver.create(spec))
      })
      // Node B runs no space of its own: it only takes the request, as the node a user called.
      const nodeB = yield* Layer.build(TestNode.layer({ node: "node-2" }))
      const storeB = Context.get(nodeB, Store)
      const spacesB = Context.get(nodeB, Spaces)

      const run = Effect.gen(function*() {
        const storeA = yield* Store
        yield* (yield* Templates).put(devTemplate)
        yield* startNode()
        const { id } = yield* (yield* Spaces).create({ name: "alice", template: "dev", owner: "alice" })
        yield* spaceObserved("alice", "creating")
        yield* exchange(storeA, storeB)

        // B asks to stop; a second later, without having seen that, A reports the container
        // created, starting and running.
        yield* spacesB.stop(id)
        const request = (yield* storeB.get(spaceKind, id))!
        yield* TestClock.adjust("1 second")
        yield* Deferred.succeed(gate, undefined)
        yield* spaceObserved("alice", "running")
        expect(yield* readSpace("alice")).toMatchObject({ desired: "running", generation: 1 })
        const report = (yield* storeA.get(spaceStatusKind, id))!
        // The report is the later write: had it rewritten the space record (with the request it
        // knew of, `running`), last-writer-wins would have kept it and dropped B's request.
        expect(versionOrder(report.version, request.version)).toBe(1)

        yield* exchange(storeA, storeB)
        const stopped = yield* spaceObserved("alice", "stopped")
        expect(stopped).toMatchObject({ desired: "stopped", generation: 2 })
        expect((yield* allContainers).map((info) => [info.id, info.state])).toEqual([[stopped.containerId, "exited"]])

        yield* exchange(storeA, storeB)
        expect(yield* spacesB.get(id)).toMatchObject({ desired: "stopped", observed: "stopped" })
      })
      yield* run.pipe(Effect.provide(TestNode.layer({ node: "node-1", wrapDriver: holdCreate })))
    }))
})
