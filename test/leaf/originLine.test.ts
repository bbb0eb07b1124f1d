import { describe, expect, it } from "vitest"
import { originLine } from "../../cli/client/cluster.command.ts"

const key = "ab".repeat(32)
const since = Date.UTC(2025, 0, 2, 3, 4, 5)

describe("knot cluster status on a leaf", () => {
  it("says since when the origin is unreachable", () => {
    expect(originLine({ origin: key, state: "unreachable", since }, since + 90_000)).toBe(
      `origin ${key} unreachable since 2025-01-02T03:04:05.000Z (2m ago)`
    )
  })

  it("names the origin's node once a link has shown it", () => {
    expect(originLine({ origin: key, state: "connected", since, node: "n-1" }, since)).toBe(
      `origin n-1 (${key}) connected since 2025-01-02T03:04:05.000Z (0s ago)`
    )
  })

  it("says the origin refused this leaf, and why, once the origin has said so", () => {
    expect(originLine({ origin: key, state: "unreachable", since, refused: "leaf laptop's credential was revoked" }, since)).toBe(
      `origin ${key} refused this leaf since 2025-01-02T03:04:05.000Z (0s ago): leaf laptop's credential was revoked`
    )
  })
})
