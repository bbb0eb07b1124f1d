import { describe, expect, it } from "vitest"
import { containerSpec, spaceIdentity } from "../../actors/space/spaceContainer.ts"
import type { Space } from "../../storage/kinds/space.ts"
import type { Template } from "../../storage/kinds/template.ts"

const template: Template = { name: "web", image: "busybox", env: {}, volumes: [], zones: [], memoryMb: 256 }
const space: Space = {
  name: "dev",
  owner: "ann",
  template: "web",
  node: "n-1",
  zone: "z",
  desired: "running",
  generation: 1
}

describe("a space's container limits", () => {
  it("are the template's when its create settled none", () => {
    const spec = containerSpec(spaceIdentity("s1", "n-1", space), template, 1, {})
    expect([spec.memoryBytes, spec.cpus]).toEqual([256 * 1024 * 1024, undefined])
  })

  it("are those its create settled from its owner's quota", () => {
    const spec = containerSpec(spaceIdentity("s1", "n-1", { ...space, limits: { memoryMb: 512, cpus: 2 } }), template, 1, {})
    expect([spec.memoryBytes, spec.cpus]).toEqual([512 * 1024 * 1024, 2])
  })
})
