import { describe, expect, it } from "@effect/vitest"
import { applyRumour, type Member, newMember } from "../../transport/gossip/membership.rumours.ts"
import type { MemberStatus } from "../../transport/gossip/gossip.wire.ts"

const rumour = (status: MemberStatus, incarnation: number) => ({ node: "n2", zone: "a", status, incarnation })
const alive = newMember("n2", "a", 0)
const hear = (...rumours: ReadonlyArray<ReturnType<typeof rumour>>) =>
  rumours.reduce<Member>((member, next) => applyRumour(member, next, 1) ?? member, alive)

describe("membership rumours", () => {
  it("suspects an alive member on a suspicion of its current incarnation", () => {
    expect(hear(rumour("suspect", 0)).status).toBe("suspect")
  })

  it("ignores a rumour about an older incarnation", () => {
    expect(applyRumour(hear(rumour("alive", 2)), rumour("suspect", 1), 1)).toBeUndefined()
  })

  it("lets a suspect member refute only with a higher incarnation", () => {
    const suspect = hear(rumour("suspect", 0))
    expect(applyRumour(suspect, rumour("alive", 0), 1)).toBeUndefined()
    expect(applyRumour(suspect, rumour("alive", 1), 1)?.status).toBe("alive")
  })

  it("declares an alive member dead on a death rumour of its incarnation", () => {
    expect(hear(rumour("dead", 0)).status).toBe("dead")
  })

  it("brings a dead member back only when it rejoins with a higher incarnation", () => {
    const dead = hear(rumour("dead", 1))
    expect(applyRumour(dead, rumour("alive", 1), 1)).toBeUndefined()
    expect(applyRumour(dead, rumour("suspect", 2), 1)).toBeUndefined()
    expect(applyRumour(dead, rumour("alive", 2), 1)).toMatchObject({ status: "alive", incarnation: 2 })
  })

  it("records when the member last changed, for the suspicion timeout", () => {
    expect(applyRumour(alive, rumour("suspect", 0), 1234)?.changedAt).toBe(1234)
  })
})
