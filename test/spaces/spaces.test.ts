import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream, TestClock } from "effect"
import type { Member } from "../../actors/node/clusterView.ts"
import { ClusterView } from "../../actors/node/clusterView.ts"
import { Templates } from "../../actors/node/templates.ts"
import { TestNode } from "../../actors/node/testNode.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import { spaceKind, spaceStatusKind } from "../../actors/space/spaceRecord.ts"
import { NodeId, StoredRecord, Version } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import { encodeKeptVolume, volumeKind } from "../../actors/space/keptVolumes.ts"
import { devTemplate, readSpace } from "./fixtures.ts"
import { member as memberOf } from "../support/member.ts"

const withTemplate = (template: object = devTemplate) => Effect.flatMap(Templates, (templates) => templates.put(template))

const create = (name: string, template = "dev", owner = "alice") =>
  Effect.flatMap(Spaces, (spaces) => spaces.create({ name, template, owner }))

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.flip(effect)

const member = (id: string, zone: string, spaces: number): Member => memberOf(id, zone, { spaces })

const cluster = (members: ReadonlyArray<Member>) =>
  Layer.succeed(ClusterView, {
    self: Effect.succeed(members[0]!),
    members: Effect.succeed(members),
    memberZones: Effect.succeed(members),
    changes: Stream.never
  })

const standalone = TestNode.layer({ zone: "us-east" })

describe("Spaces", () => {
  it.scoped("creates a space on this node that wants to run and is pending", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const view = yield* create("alice-dev")
      expect(view.id).toMatch(/^[0-9a-f]{16}$/)
      expect(view).toMatchObject({
        creation: view.id,
        name: "alice-dev",
        owner: "alice",
        template: "dev",
        node: "node-1",
        zone: "us-east",
        desired: "running",
        observed: "pending",
        generation: 1
      })
      expect(yield* readSpace(view.id)).toMatchObject({ desired: "running", observed: "pending" })
    }).pipe(Effect.provide(standalone)))

  it.scoped("keys the record by the creation id, so the name is only an alias", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const view = yield* create("alice-dev")
      const store = yield* Store
      expect(yield* store.get(spaceKind, "alice-dev")).toBeUndefined()
      expect((yield* store.get(spaceKind, view.id))?.value).toMatchObject({ name: "alice-dev", creation: view.id })
    }).pipe(Effect.provide(standalone)))

  it.scoped("shows the owner's status beside the request, changed when either last changed", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const { id } = yield* create("alice-dev")
      yield* TestClock.adjust("1 second")
      const status = yield* (yield* Store).put(spaceStatusKind, id, { observed: "running", containerId: "c1" })
      expect(yield* (yield* Spaces).get(id)).toMatchObject({
        desired: "running",
        observed: "running",
        containerId: "c1",
        updatedAt: status.version.wall
      })
    }).pipe(Effect.provide(standalone)))

  it.scoped("shows a space as pending when its status was written by a node that does not own it", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const { id } = yield* create("alice-dev")
      const store = yield* Store
      const at = yield* store.clock
      yield* store.merge(
        new StoredRecord({
          kind: spaceStatusKind,
          id,
          value: { observed: "running" },
          version: new Version({ wall: at.wall + 1, counter: 0, node: NodeId.make("node-2") }),
          deleted: false
        })
      )
      expect((yield* (yield* Spaces).list())[0]).toMatchObject({ id, observed: "pending" })
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

  it.scoped("refuses a name the owner already uses", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("dev")
      const error = yield* failure(create("dev"))
      expect(error.message).toBe("you already have a space named dev; pick another name or delete it first")
    }).pipe(Effect.provide(standalone)))

  it.scoped("lets two owners each have a space of the same name, found by owner and name", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const alices = yield* create("dev", "dev", "alice")
      const bobs = yield* create("dev", "dev", "bob")
      expect(alices.id).not.toBe(bobs.id)
      const spaces = yield* Spaces
      expect((yield* spaces.find("alice", "dev")).id).toBe(alices.id)
      expect((yield* spaces.find("bob", "dev")).id).toBe(bobs.id)
      expect((yield* failure(spaces.find("carol", "dev"))).message).toBe("no space carol/dev; see `knot space list`")
    }).pipe(Effect.provide(standalone)))

  it.scoped("keeps both of two creates of one name that did not see each other, the later shown as name-2", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* TestClock.adjust("1 minute")
      const later = yield* create("dev")
      const store = yield* Store
      const at = yield* store.clock
      // The other side of a partition created `dev` for alice a second earlier; gossip brings it now.
      yield* store.merge(
        new StoredRecord({
          kind: spaceKind,
          id: "00000000000000aa",
          value: {
            name: "dev",
            creation: "00000000000000aa",
            createdAt: later.createdAt! - 1_000,
            owner: "alice",
            template: "dev",
            node: "node-2",
            zone: "us-east",
            desired: "running",
            generation: 1
          },
          version: new Version({ wall: at.wall + 1, counter: 0, node: NodeId.make("node-2") }),
          deleted: false
        })
      )
      const spaces = yield* Spaces
      expect((yield* spaces.list()).map((view) => [view.id, view.name])).toEqual([
        ["00000000000000aa", "dev"],
        [later.id, "dev-2"]
      ])
      const renamed = yield* spaces.get(later.id)
      expect(renamed.askedAs).toBe("dev")
      expect(renamed.notice).toContain("this one is dev-2 until that one is gone")
      yield* spaces.delete("00000000000000aa")
      yield* store.delete(spaceKind, "00000000000000aa")
      expect((yield* spaces.get(later.id)).name).toBe("dev")
    }).pipe(Effect.provide(standalone)))

  it.scoped("a request on a renamed space keeps the name its create asked for in the record", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const first = yield* create("dev")
      const store = yield* Store
      const at = yield* store.clock
      yield* store.merge(
        new StoredRecord({
          kind: spaceKind,
          id: "ffffffffffffffff",
          value: { ...(yield* store.get(spaceKind, first.id))!.value as object, creation: "ffffffffffffffff" },
          version: new Version({ wall: at.wall + 1, counter: 0, node: NodeId.make("node-2") }),
          deleted: false
        })
      )
      yield* (yield* Spaces).stop("ffffffffffffffff")
      expect((yield* store.get(spaceKind, "ffffffffffffffff"))?.value).toMatchObject({ name: "dev", desired: "stopped" })
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
      const first = yield* create("alice-dev")
      yield* (yield* Store).delete(spaceKind, first.id)
      const again = yield* create("alice-dev")
      expect(again).toMatchObject({ owner: "alice", observed: "pending" })
      expect(again.id).not.toBe(first.id)
    }).pipe(Effect.provide(standalone)))

  it.scoped("asks to stop by writing the desired state with a new generation", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const { id } = yield* create("alice-dev")
      const stopped = yield* (yield* Spaces).stop(id)
      expect(stopped).toMatchObject({ desired: "stopped", generation: 2 })
      expect(yield* readSpace(id)).toMatchObject({ desired: "stopped", generation: 2 })
    }).pipe(Effect.provide(standalone)))

  it.scoped("writes nothing for a stop of a space that already wants to be stopped", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const { id } = yield* create("alice-dev")
      const spaces = yield* Spaces
      const first = yield* spaces.stop(id)
      const before = yield* (yield* Store).get(spaceKind, id)
      const second = yield* spaces.stop(id)
      expect(second.generation).toBe(first.generation)
      expect((yield* (yield* Store).get(spaceKind, id))?.version).toEqual(before?.version)
    }).pipe(Effect.provide(standalone)))

  it.scoped("turns a start of a failed space into a new request the owner retries", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const created = yield* create("alice-dev")
      const store = yield* Store
      yield* store.put(spaceStatusKind, created.id, { observed: "failed", reason: "container exited with code 1" })
      const started = yield* (yield* Spaces).start(created.id)
      expect(started).toMatchObject({ desired: "running", generation: created.generation + 1 })
    }).pipe(Effect.provide(standalone)))

  it.scoped("refuses to start a space whose deletion was requested", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      const { id } = yield* create("alice-dev")
      const spaces = yield* Spaces
      yield* spaces.delete(id)
      const error = yield* failure(spaces.start(id))
      expect(error.message).toBe(
        "space alice/alice-dev: its deletion was requested; create it again once it is gone"
      )
    }).pipe(Effect.provide(standalone)))

  it.scoped("reports an unknown space as not found", () =>
    Effect.gen(function*() {
      const error = yield* failure((yield* Spaces).delete("ghost"))
      expect(error.message).toBe("no space ghost; see `knot space list`")
    }).pipe(Effect.provide(standalone)))

  it.scoped("lists spaces, all of them or one owner's", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("dev", "dev", "alice")
      const bobs = yield* create("dev", "dev", "bob")
      yield* create("ml", "dev", "alice")
      const spaces = yield* Spaces
      expect((yield* spaces.list()).map((view) => `${view.owner}/${view.name}`)).toEqual(["alice/dev", "alice/ml", "bob/dev"])
      expect((yield* spaces.list({ owner: "alice" })).map((view) => view.name)).toEqual(["dev", "ml"])
      expect((yield* spaces.get(bobs.id)).owner).toBe("bob")
    }).pipe(Effect.provide(standalone)))

  it.scoped("counts this node's spaces in the standalone cluster view", () =>
    Effect.gen(function*() {
      yield* withTemplate()
      yield* create("alice-dev")
      yield* create("bob-dev")
      expect((yield* (yield* ClusterView).self).spaces).toBe(2)
    }).pipe(Effect.provide(standalone)))

  describe("reusing a kept volume", () => {
    const keep = (id: string, owner: string, node = "node-1") =>
      Effect.flatMap(Store, (store) =>
        store.put(volumeKind, id, encodeKeptVolume({
          owner,
          node,
          zone: "us-east",
          volume: "home",
          space: "dev",
          spaceId: "0123456789abcdef",
          keptAt: 0,
          desired: "kept"
        })))

    const reuse = (owner: string, volumes: Record<string, string>) =>
      Effect.flatMap(Spaces, (spaces) => spaces.create({ name: "dev", template: "dev", owner, reuseVolumes: volumes }))

    it.scoped("mounts the owner's kept volume and takes it off the kept list", () =>
      Effect.gen(function*() {
        yield* withTemplate()
        yield* keep("knot.dev.0123456789abcdef.home", "alice")
        const view = yield* reuse("alice", { home: "knot.dev.0123456789abcdef.home" })
        expect(view.reusedVolumes).toEqual({ home: "knot.dev.0123456789abcdef.home" })
        expect((yield* (yield* Store).get(volumeKind, "knot.dev.0123456789abcdef.home"))?.deleted).toBe(true)
      }).pipe(Effect.provide(standalone)))

    it.scoped("refuses another user's kept volume in one line", () =>
      Effect.gen(function*() {
        yield* withTemplate()
        yield* keep("knot.dev.0123456789abcdef.home", "alice")
        const error = yield* failure(reuse("bob", { home: "knot.dev.0123456789abcdef.home" }))
        expect(error.message).toBe(
          "kept volume knot.dev.0123456789abcdef.home belongs to another user; only its owner can reuse it"
        )
        expect(yield* (yield* Spaces).list()).toEqual([])
      }).pipe(Effect.provide(standalone)))

    it.scoped("refuses a volume that is not kept, or one the template has no place for", () =>
      Effect.gen(function*() {
        yield* withTemplate()
        yield* keep("knot.dev.0123456789abcdef.home", "alice")
        expect((yield* failure(reuse("alice", { home: "nope" }))).message).toBe(
          "no kept volume nope; see `knot volume list`"
        )
        expect((yield* failure(reuse("alice", { data: "knot.dev.0123456789abcdef.home" }))).message).toBe(
          "cannot reuse volumes: template dev has no volume named data"
        )
      }).pipe(Effect.provide(standalone)))

    it.scoped("places the space on the node that holds the kept volume", () =>
      Effect.gen(function*() {
        yield* withTemplate()
        yield* keep("knot.dev.0123456789abcdef.home", "alice", "n2")
        const view = yield* reuse("alice", { home: "knot.dev.0123456789abcdef.home" })
        expect(view.node).toBe("n2")
      }).pipe(Effect.provide(TestNode.layer({
        node: "n1",
        clusterView: cluster([member("n1", "us-east", 0), member("n2", "us-east", 9)])
      }))))
  })
})
