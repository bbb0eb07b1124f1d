import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import type { Member } from "../../actors/node/clusterView.ts"
import { placeSpace } from "../../actors/space/placement.ts"
import { member as memberOf } from "../support/member.ts"

const member = (id: string, zone: string, spaces: number, overrides: Partial<Member> = {}): Member =>
  memberOf(id, zone, { spaces, ...overrides })

const placedOn = (zones: ReadonlyArray<string>, members: ReadonlyArray<Member>, self = "n1") =>
  Either.map(placeSpace({ template: "dev", zones }, members, self), (chosen) => chosen.id)

describe("placeSpace", () => {
  it("picks the least loaded alive node", () => {
    expect(placedOn([], [member("n1", "us-east", 3), member("n2", "us-east", 1), member("n3", "eu-west", 2)]))
      .toEqual(Either.right("n2"))
  })

  it("breaks a tie between equally loaded nodes by node id", () => {
    expect(placedOn([], [member("n3", "us-east", 1), member("n1", "us-east", 1), member("n2", "us-east", 1)]))
      .toEqual(Either.right("n1"))
  })

  it("considers only nodes in the zones the template allows", () => {
    expect(placedOn(["eu-west"], [member("n1", "us-east", 0), member("n2", "eu-west", 5)])).toEqual(Either.right("n2"))
  })

  it("skips a member whose node record has not arrived yet", () => {
    const members = [member("n1", "us-east", 0, { announced: false }), member("n2", "us-east", 4)]
    expect(placedOn([], members, "n2")).toEqual(Either.right("n2"))
  })

  it("skips nodes that are not alive", () => {
    const members = [
      member("n1", "us-east", 0, { state: "suspect" }),
      member("n2", "us-east", 0, { state: "dead" }),
      member("n3", "us-east", 0, { state: "joining" }),
      member("n4", "us-east", 9)
    ]
    expect(placedOn([], members)).toEqual(Either.right("n4"))
  })

  it("never places on another node's leaf, but does on the local leaf", () => {
    const members = [member("laptop", "us-east", 0, { mode: "leaf" }), member("n2", "us-east", 4)]
    expect(placedOn([], members, "n2")).toEqual(Either.right("n2"))
    expect(placedOn([], members, "laptop")).toEqual(Either.right("laptop"))
  })

  it("fails with the template's zones when none of their nodes is alive", () => {
    const placed = placeSpace({ template: "dev", zones: ["eu-west"] }, [member("n1", "us-east", 0)], "n1")
    expect(Either.isLeft(placed) && placed.left.message).toBe("no alive node in zones [eu-west] for template dev")
  })

  it("names every known zone when the template allows all and no node is alive", () => {
    const members = [member("n1", "us-east", 0, { state: "dead" }), member("n2", "eu-west", 0, { state: "dead" })]
    const placed = placeSpace({ template: "dev", zones: [] }, members, "n1")
    expect(Either.isLeft(placed) && placed.left.zones).toEqual(["eu-west", "us-east"])
  })
})
