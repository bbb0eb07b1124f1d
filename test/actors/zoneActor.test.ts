import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ActorSystem, ActorSystemLive } from "../../actors/runtime/actorSystem.ts"
import type { ZoneMember, ZoneStatus } from "../../actors/zone/zone.actor.ts"
import { healthOf, zoneActor } from "../../actors/zone/zone.actor.ts"

const statusAfter = (...updates: ReadonlyArray<ReadonlyArray<ZoneMember>>) =>
  Effect.gen(function*() {
    const zone = yield* (yield* ActorSystem).spawn(zoneActor("us-east"), { name: "zone:us-east" })
    for (const members of updates) yield* zone.tell({ _tag: "Members", members })
    return yield* zone.ask<ZoneStatus>((reply) => ({ _tag: "Status", reply }), "1 second")
  }).pipe(Effect.provide(ActorSystemLive))

describe("ZoneActor", () => {
  it.scoped("serves while at least one member is alive", () =>
    Effect.gen(function*() {
      const status = yield* statusAfter([{ node: "n1", health: "alive" }, { node: "n2", health: "dead" }])
      expect(status).toEqual({ name: "us-east", state: "serving", members: { n1: "alive", n2: "dead" } })
    }))

  it.scoped("is degraded when no member is alive", () =>
    Effect.gen(function*() {
      const status = yield* statusAfter(
        [{ node: "n1", health: "alive" }],
        [{ node: "n1", health: "suspect" }, { node: "n2", health: "dead" }]
      )
      expect(status.state).toBe("degraded")
    }))

  it.scoped("drops members the node no longer lists", () =>
    Effect.gen(function*() {
      const status = yield* statusAfter([{ node: "n1", health: "alive" }, { node: "n2", health: "alive" }], [{
        node: "n2",
        health: "alive"
      }])
      expect(status.members).toEqual({ n2: "alive" })
    }))

  it("counts a joining or leaving member as not yet or no longer serving", () => {
    expect([healthOf("joining"), healthOf("leaving"), healthOf("alive"), healthOf("left")]).toEqual([
      "suspect",
      "suspect",
      "alive",
      "left"
    ])
  })
})
