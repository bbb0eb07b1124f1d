import { describe, expect, it } from "@effect/vitest"
import { RumourQueue } from "../../transport/gossip/rumourQueue.ts"

const update = (node: string, incarnation = 0) => ({ node, zone: "a", status: "alive" as const, incarnation })

describe("rumour queue", () => {
  it("sends the least-sent rumours first", () => {
    const queue = new RumourQueue()
    queue.enqueue(update("n1"))
    queue.enqueue(update("n2"))
    expect(queue.take(1, 10).map((u) => u.node)).toEqual(["n1"])
    expect(queue.take(1, 10).map((u) => u.node)).toEqual(["n2"])
  })

  it("drops a rumour once it has been sent its limit", () => {
    const queue = new RumourQueue()
    queue.enqueue(update("n1"))
    queue.take(5, 2)
    queue.take(5, 2)
    expect(queue.take(5, 2)).toEqual([])
  })

  it("keeps only the newest rumour about a member", () => {
    const queue = new RumourQueue()
    queue.enqueue(update("n1", 0))
    queue.enqueue(update("n1", 3))
    expect(queue.take(5, 10)).toEqual([update("n1", 3)])
  })

  it("does not tell a member rumours about itself twice over", () => {
    const queue = new RumourQueue()
    queue.enqueue(update("n1"))
    queue.enqueue(update("n2"))
    expect(queue.take(5, 10, "n1").map((u) => u.node)).toEqual(["n2"])
  })
})
