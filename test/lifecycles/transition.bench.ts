import { Either } from "effect"
import { bench, describe } from "vitest"
import type { SpaceEvent } from "../../actors/space/space.machine.ts"
import { initialSpace, transitionSpace } from "../../actors/space/space.machine.ts"

const cycle: ReadonlyArray<SpaceEvent> = [
  { type: "Start" },
  { type: "Created", containerId: "c1" },
  { type: "Started" },
  { type: "Stop" },
  { type: "Stopped" },
  { type: "Start" },
  { type: "Started" },
  { type: "Stop" },
  { type: "Stopped" }
]

describe("space lifecycle step", () => {
  bench("one full create/start/stop/restart cycle (9 accepted events)", () => {
    let snapshot = initialSpace()
    for (const event of cycle) snapshot = Either.getOrThrow(transitionSpace(snapshot, event))
  })

  bench("one refused event (Started while pending)", () => {
    transitionSpace(initialSpace(), { type: "Started" })
  })
})
