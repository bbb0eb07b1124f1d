import { describe, expect, it } from "vitest"
import { SpaceNotRunning } from "../../effects/streams/spaceStreams.errors.js"

describe("what a refused stream tells the person", () => {
  it("a stopped space says so and how to start it", () => {
    const error = new SpaceNotRunning({ space: "alice/dev", observed: "stopped" })
    expect(error.message).toBe("space alice/dev is stopped, not running; start it with `knot space start alice/dev`")
  })

  it("a space reported running whose container is not known yet says to retry, not that it is not running", () => {
    const error = new SpaceNotRunning({ space: "alice/dev", observed: "running" })
    expect(error.message).toBe("space alice/dev has no container on its node yet; retry in a moment")
  })
})
