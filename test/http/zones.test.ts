import { describe, expect, it } from "@effect/vitest"
import type { Member, MemberState } from "../../actors/node/clusterView.ts"
import { zonesOf } from "../../effects/http/handlers/cluster.handlers.ts"
import { member as memberOf } from "../support/member.ts"

const member = (id: string, zone: string, state: MemberState): Member => memberOf(id, zone, { state })

describe("zonesOf", () => {
  it("groups members by zone, zones sorted by name", () => {
    const zones = zonesOf([member("a", "us-east", "alive"), member("b", "eu-west", "alive"), member("c", "us-east", "alive")])
    expect(zones.map((zone) => [zone.name, zone.members.map((m) => m.id)])).toEqual([["eu-west", ["b"]], ["us-east", ["a", "c"]]])
  })

  it("calls a zone degraded when only some members are alive, down when none is", () => {
    const zones = zonesOf([
      member("a", "one", "alive"),
      member("b", "one", "suspect"),
      member("c", "two", "dead"),
      member("d", "three", "alive")
    ])
    expect(zones.map((zone) => [zone.name, zone.health, zone.alive, zone.total])).toEqual([
      ["one", "degraded", 1, 2],
      ["three", "healthy", 1, 1],
      ["two", "down", 0, 1]
    ])
  })
})
