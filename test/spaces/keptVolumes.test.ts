import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startNode } from "../../actors/node/node.actor.ts"
import { Templates } from "../../actors/node/templates.ts"
import { TestNode } from "../../actors/node/testNode.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import { Volumes } from "../../actors/space/volumes.ts"
import { MemoryEngine } from "../../effects/container/memoryDriver.ts"
import { devTemplate, eventually, spaceGone, spaceObserved } from "./fixtures.ts"

/** A node that ran alice's space `dev` and deleted it, leaving its kept volume `home`. */
const deletedSpace = Effect.gen(function*() {
  yield* (yield* Templates).put(devTemplate)
  yield* startNode()
  const spaces = yield* Spaces
  const { id } = yield* spaces.create({ name: "dev", template: "dev", owner: "alice" })
  const running = yield* spaceObserved(id, "running")
  yield* spaces.delete(id)
  yield* spaceGone(id)
  return { id, kept: `knot.dev.${running.creation}.home` }
})

describe("kept volumes", () => {
  it.scoped("a deleted space's kept volume is listed for its owner, with the space it came from", () =>
    Effect.gen(function*() {
      const { id, kept } = yield* deletedSpace
      expect(yield* (yield* Volumes).list({ owner: "alice" })).toEqual([
        expect.objectContaining({ id: kept, owner: "alice", node: "node-1", volume: "home", space: "dev", spaceId: id })
      ])
      expect(yield* (yield* Volumes).list({ owner: "bob" })).toEqual([])
    }).pipe(Effect.provide(TestNode.layer())))

  it.scoped("a delete of a kept volume makes its node remove it from the engine, then the record", () =>
    Effect.gen(function*() {
      const { kept } = yield* deletedSpace
      const engine = yield* MemoryEngine
      expect([...(yield* engine.volumes)]).toEqual([kept])
      yield* (yield* Volumes).delete(kept)
      yield* eventually(Effect.map(engine.volumes, (volumes) => (volumes.size === 0 ? true : undefined)), "the volume removed")
      yield* eventually(
        Effect.map((yield* Volumes).list(), (volumes) => (volumes.length === 0 ? true : undefined)),
        "the record tombstoned"
      )
    }).pipe(Effect.provide(TestNode.layer())))

  it.scoped("a reused kept volume is mounted by the new space and kept again when that one is deleted", () =>
    Effect.gen(function*() {
      const { kept } = yield* deletedSpace
      const spaces = yield* Spaces
      const again = yield* spaces.create({ name: "dev", template: "dev", owner: "alice", reuseVolumes: { home: kept } })
      yield* spaceObserved(again.id, "running")
      expect(yield* (yield* Volumes).list()).toEqual([])
      yield* spaces.delete(again.id)
      yield* spaceGone(again.id)
      expect((yield* (yield* Volumes).list()).map((volume) => [volume.id, volume.spaceId])).toEqual([[kept, again.id]])
    }).pipe(Effect.provide(TestNode.layer())))
})
