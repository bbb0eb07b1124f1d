import { describe, expect, it } from "@effect/vitest"
import { clusterScale } from "../../transport/gossip/gossip.config.ts"

describe("how timeouts grow with the cluster", () => {
  it("leaves them as configured up to ten members", () => {
    for (const members of [1, 2, 5, 10]) expect(clusterScale(members)).toBe(1)
  })

  it("grows them by log10 of the members beyond, as Lifeguard's suspicion multiplier does", () => {
    expect(clusterScale(100)).toBe(2)
    expect(clusterScale(1000)).toBe(3)
    expect(clusterScale(64)).toBeCloseTo(1.81, 2)
    expect(clusterScale(256)).toBeCloseTo(2.41, 2)
  })
})
