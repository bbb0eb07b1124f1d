import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Templates } from "../../actors/node/templates.ts"
import { TemplatesLive } from "../../actors/node/templates.live.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { devTemplate } from "./fixtures.ts"

const store = MemoryStore.layer({ nodeId: NodeId.make("node-1"), maxDriftMs: 60_000 })
const templates = TemplatesLive.layer().pipe(Layer.provide(store))
const onLeaf = TemplatesLive.layer({ readOnly: { origin: "hq-1" } }).pipe(Layer.provide(store))

const putFailure = (input: unknown) => Effect.flip(Effect.flatMap(Templates, (service) => service.put(input)))

describe("Templates", () => {
  it.effect("stores a valid template and gives it back by name and in the list", () =>
    Effect.gen(function*() {
      const service = yield* Templates
      yield* service.put(devTemplate)
      yield* service.put({ ...devTemplate, name: "ml", volumes: [] })
      expect(yield* service.get("dev")).toMatchObject(devTemplate)
      expect((yield* service.list).map((template) => template.name)).toEqual(["dev", "ml"])
    }).pipe(Effect.provide(templates)))

  it.effect("replaces a template put again under the same name", () =>
    Effect.gen(function*() {
      const service = yield* Templates
      yield* service.put(devTemplate)
      yield* service.put({ ...devTemplate, image: "other:1" })
      expect((yield* service.get("dev")).image).toBe("other:1")
    }).pipe(Effect.provide(templates)))

  it.effect("deletes a template, after which it is not found", () =>
    Effect.gen(function*() {
      const service = yield* Templates
      yield* service.put(devTemplate)
      yield* service.delete("dev")
      expect((yield* Effect.flip(service.get("dev"))).message).toBe("no template named dev; see `knot template list`")
    }).pipe(Effect.provide(templates)))

  it.effect("refuses an invalid template with one line naming each field to fix", () =>
    Effect.gen(function*() {
      const error = yield* putFailure({ ...devTemplate, name: "Dev Box", memoryMb: 0 })
      expect(error._tag).toBe("TemplateInvalid")
      expect(error.message).toBe(
        "invalid template: name: a template name must be 1 to 63 characters of a-z, 0-9 and \"-\", " +
          "starting and ending with a letter or digit (got \"Dev Box\"); memoryMb: memoryMb must be a whole number from 6 to 1048576 (got 0)"
      )
      expect(error.message).not.toContain("\n")
    }).pipe(Effect.provide(templates)))

  it.effect("names a missing field", () =>
    Effect.gen(function*() {
      const { image: _, ...withoutImage } = devTemplate
      expect((yield* putFailure(withoutImage)).message).toBe("invalid template: image: is missing")
    }).pipe(Effect.provide(templates)))

  it.effect("refuses edits on a leaf, pointing at its origin", () =>
    Effect.gen(function*() {
      const service = yield* Templates
      const error = yield* putFailure(devTemplate)
      expect(error.message).toBe("templates are managed on the cluster; edit them on the origin node hq-1")
      expect((yield* Effect.flip(service.delete("dev")))._tag).toBe("TemplatesManagedByOrigin")
      expect(yield* service.list).toEqual([])
    }).pipe(Effect.provide(onLeaf)))
})
