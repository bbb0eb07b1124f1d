import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import type { Member } from "../../actors/node/clusterView.ts"
import { ClusterView } from "../../actors/node/clusterView.ts"
import { Templates } from "../../actors/node/templates.ts"
import { TestNode } from "../../actors/node/testNode.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import { spaceKind, spaceStatusKind } from "../../actors/space/spaceRecord.ts"
import { NodeId, StoredRecord, Version } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import { devTemplate, readSpace } from "./fixtures.ts"
import { member as memberOf } from "../support/member.ts"

const withTemplate = (template: object = devTemplate) => Effect.flatMap(Templates, (templates) => templates.put(template))

const create = (name: string, template = "dev", owner = "alice") =>
  Effect.flatMap(Spaces, (spaces) => spaces.create({ name, template, owner }))

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.flip(effect)

const member = (id: string, zone: string, spaces: number): Member => memberOf(id, zone, { spaces })

const cluster = (members: ReadonlyArray<Member>) =>
  Layer.succeed(ClusterView, { self: Effect.succeed(members[0]!), members: Effect.succeed(members) })

const standalone = TestNode.layer({ zone: "us-east" })

describe("Spaces", () => {
  it.scoped("creates a space on this node that wants to run and is pending", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const view = yield* create("alice-dev")
      expect(view).toMatchObject({
        id: "alice-dev",
        name: "alice-dev",
        owner: "alice",
        template: "dev",
        node: "node-1",
        zone: "us-east",
        desired: "running",
        observed: "pending",
        generation: 1
      })
      expect(yield* readSpace("alice-dev")).toMatchObject({ desired: "running", observed: "pending" })
    }).pipe(Effect.provide(standalone)))

  it.scoped("shows the owner's status beside the request, changed when either last changed", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("alice-dev")
      yield* TestClock.adjust("1 second")
      const status = yield* (yield* Store).put(spaceStatusKind, "alice-dev", { observed: "running", containerId: "c1" })
      expect(yield* (yield* Spaces).get("alice-dev")).toMatchObject({
        desired: "running",
        observed: "running",
        containerId: "c1",
        updatedAt: status.version.wall
      })
    }).pipe(Effect.provide(standalone)))

  it.scoped("shows a space as pending when its status was written by a node that does not own it", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("alice-dev")
      const store = yield* Store
      const at = yield* store.clock
      yield* store.merge(
        new StoredRecord({
          kind: spaceStatusKind,
          id: "alice-dev",
          value: { observed: "running" },
          version: new Version({ wall: at.wall + 1, counter: 0, node: NodeId.make("node-2") }),
          deleted: false
        })
      )
      expect((yield* (yield* Spaces).list())[0]).toMatchObject({ id: "alice-dev", observed: "pending" })
    }).pipe(Effect.provide(standalone)))

  it.scoped("places a space on the least loaded alive node of the template's zones", () =>
    Effect.gen(function*() {
      yield* withTemplate({ ...devTemplate, name: "eu", zones: ["eu-west"] })
      const view = yield* create("alice-dev", "eu")
      expect(view).toMatchObject({ node: "n3", zone: "eu-west" })
    }).pipe(Effect.provide(TestNode.layer({
      node: "n1",
      clusterView: cluster([member("n1", "us-east", 0), member("n2", "eu-west", 4), member("n3", "eu-west", 2)])
    }))))

  it.scoped("refuses a template limited to eu-west on a us-east-only cluster with the zone named", () =>
    Effect.gen(function*() {
      yield* withTemplate({ ...devTemplate, name: "eu", zones: ["eu-west"] })
      const error = yield* failure(create("alice-dev", "eu"))
      expect(error._tag).toBe("NoAliveNodeInZones")
      expect(error.message).toBe("no alive node in zones [eu-west] for template eu")
      expect(yield* readSpace("alice-dev")).toBeUndefined()
    }).pipe(Effect.provide(standalone)))

  it.scoped("refuses an unknown template", () =>
    Effect.gen(function*() {
      const error = yield* failure(create("alice-dev", "nope"))
      expect(error.message).toBe("no template named nope; see `knot template list`")
    }).pipe(Effect.provide(standalone)))

  it.scoped("refuses a name in use", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("alice-dev")
      const error = yield* failure(create("alice-dev", "dev", "bob"))
      expect(error._tag).toBe("SpaceNameTaken")
    }).pipe(Effect.provide(standalone)))

  it.scoped("refuses a name that is not a slug, saying what a name may hold", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const error = yield* failure(create("Alice_Dev"))
      expect(error.message).toBe(
        "invalid space name: a space name must be 1 to 63 characters of a-z, 0-9 and \"-\", starting and ending with a letter or digit (got \"Alice_Dev\")"
      )
    }).pipe(Effect.provide(standalone)))

  it.scoped("reuses the name of a space whose record was tombstoned", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("alice-dev")
      yield* (yield* Store).delete(spaceKind, "alice-dev")
      const again = yield* create("alice-dev", "dev", "bob")
      expect(again).toMatchObject({ owner: "bob", observed: "pending" })
    }).pipe(Effect.provide(standalone)))

  it.scoped("asks to stop by writing the desired state with a new generation", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("alice-dev")
      const stopped = yield* (yield* Spaces).stop("alice-dev")
      expect(stopped).toMatchObject({ desired: "stopped", generation: 2 })
      expect(yield* readSpace("alice-dev")).toMatchObject({ desired: "stopped", generation: 2 })
    }).pipe(Effect.provide(standalone)))

  it.scoped("writes nothing for a stop of a space that already wants to be stopped", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("alice-dev")
      const spaces = yield* Spaces
      const first = yield* spaces.stop("alice-dev")
      const before = yield* (yield* Store).get(spaceKind, "alice-dev")
      const second = yield* spaces.stop("alice-dev")
      expect(second.generation).toBe(first.generation)
      expect((yield* (yield* Store).get(spaceKind, "alice-dev"))?.version).toEqual(before?.version)
    }).pipe(Effect.provide(standalone)))

  it.scoped("turns a start of a failed space into a new request the owner retries", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const created = yield* create("alice-dev")
      const store = yield* Store
      yield* store.put(spaceStatusKind, "alice-dev", { observed: "failed", reason: "container exited with code 1" })
      const started = yield* (yield* Spaces).start("alice-dev")
      expect(started).toMatchObject({ desired: "running", generation: created.generation + 1 })
    }).pipe(Effect.provide(standalone)))

  it.scoped("refuses to start a space whose deletion was requested", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("alice-dev")
      const spaces = yield* Spaces
      yield* spaces.delete("alice-dev")
      const error = yield* failure(spaces.start("alice-dev"))
      expect(error.message).toBe(
        "space alice-dev: its deletion was requested; create it again once it is gone"
      )
    }).pipe(Effect.provide(standalone)))

  it.scoped("reports an unknown space as not found", () =>
    Effect.gen(function*() {
      const error = yield* failure((yield* Spaces).delete("ghost"))
      expect(error.message).toBe("no space named ghost")
    }).pipe(Effect.provide(standalone)))

  it.scoped("lists spaces, all of them or one owner's", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("alice-dev", "dev", "alice")
      yield* create("bob-dev", "dev", "bob")
      yield* create("alice-ml", "dev", "alice")
      const spaces = yield* Spaces
      expect((yield* spaces.list()).map((view) => view.id)).toEqual(["alice-dev", "alice-ml", "bob-dev"])
      expect((yield* spaces.list({ owner: "alice" })).map((view) => view.id)).toEqual(["alice-dev", "alice-ml"])
      expect((yield* spaces.get("bob-dev")).owner).toBe("bob")
    }).pipe(Effect.provide(standalone)))

  it.scoped("counts this node's spaces in the standalone cluster view", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("alice-dev")
      yield* create("bob-dev")
      expect((yield* (yield* ClusterView).self).spaces).toBe(2)
    }).pipe(Effect.provide(standalone)))
})
