import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Stream } from "effect"
import type { Link, LinkRegistry } from "../../transport/hyperswarm/linkRegistry.ts"
import { makeLinkRegistry } from "../../transport/hyperswarm/linkRegistry.ts"

/**
 * Collects `count` events in the background, returning once the subscription is live: the
 * first event (from the snapshot of linked peers) proves it.
 */
const collectEvents = (registry: LinkRegistry, count: number) =>
  Effect.gen(function* () {
    const subscribed = yield* Deferred.make<void>()
    const fiber = yield* registry.events.pipe(
      Stream.tap(() => Deferred.succeed(subscribed, undefined)),
      Stream.take(count),
      Stream.runCollect,
      Effect.fork
    )
    yield* Deferred.await(subscribed)
    return fiber.pipe(Effect.map(Chunk.toArray))
  })

const link = (peer: string, initiator: string, session = "s1") => {
  const closed: Array<string> = []
  const value: Link = {
    peer,
    leaf: undefined,
    claim: { publicKey: `key-of-${peer}`, session, initiator },
    dialedBy: "peer",
    connectedSince: 0,
    lastFrameAt: undefined,
    send: () => undefined,
    close: (reason) => void closed.push(reason),
    refuse: (reason) => void closed.push(reason),
    streams: undefined
  }
  return { link: value, closed }
}

describe("LinkRegistry", () => {
  it.scoped("publishes PeerUp for a peer's first link and PeerDown when it is released", () =>
    Effect.gen(function* () {
      const registry = yield* makeLinkRegistry
      yield* registry.admit(link("a", "aa").link)
      const events = yield* collectEvents(registry, 3)
      const first = link("b", "aa")
      expect(yield* registry.admit(first.link)).toBe("linked")
      yield* registry.release(first.link, "connection closed")
      expect(yield* events).toEqual([
        { _tag: "PeerUp", peer: "a" },
        { _tag: "PeerUp", peer: "b" },
        { _tag: "PeerDown", peer: "b", reason: "connection closed" }
      ])
    })
  )

  it.scoped("swaps in a preferred duplicate silently and closes the one it replaces", () =>
    Effect.gen(function* () {
      const registry = yield* makeLinkRegistry
      const dialedByHigher = link("b", "ff")
      const dialedByLower = link("b", "00")
      yield* registry.admit(dialedByHigher.link)
      const events = yield* collectEvents(registry, 2)
      expect(yield* registry.admit(dialedByLower.link)).toBe("linked")
      expect(dialedByHigher.closed).toEqual(["replaced by a newer connection to the same peer"])
      yield* registry.release(dialedByHigher.link, "replaced")
      expect(yield* registry.peers).toEqual(["b"])
      yield* registry.release(dialedByLower.link, "gone")
      expect(yield* events).toEqual([
        { _tag: "PeerUp", peer: "b" },
        { _tag: "PeerDown", peer: "b", reason: "gone" }
      ])
    })
  )

  it.scoped("answers duplicate for a connection that loses to the current link", () =>
    Effect.gen(function* () {
      const registry = yield* makeLinkRegistry
      const current = link("b", "00")
      yield* registry.admit(current.link)
      expect(yield* registry.admit(link("b", "ff").link)).toBe("duplicate")
      expect(current.closed).toEqual([])
      expect(registry.get("b")).toBe(current.link)
    })
  )

  it.scoped("starts each event stream with the peers linked at that moment", () =>
    Effect.gen(function* () {
      const registry = yield* makeLinkRegistry
      yield* registry.admit(link("b", "00").link)
      yield* registry.admit(link("c", "00").link)
      const replayed = yield* registry.events.pipe(Stream.take(2), Stream.runCollect)
      expect(Chunk.toArray(replayed)).toEqual([
        { _tag: "PeerUp", peer: "b" },
        { _tag: "PeerUp", peer: "c" }
      ])
    })
  )
})
