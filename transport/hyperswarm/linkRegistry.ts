import { Effect, PubSub, Stream } from "effect"
import type { PeerEvent, PeerId } from "../transport.ts"
import type { LinkInfo } from "./hyperswarmInfo.ts"
import type { ConnectionClaim } from "./linkSelection.ts"
import type { StreamChannels } from "./streamChannels.ts"
import { preferredClaim } from "./linkSelection.ts"

/** One authenticated connection, as the registry sees it. */
export interface Link {
  readonly peer: PeerId
  /** On a cluster node, for a leaf's link: the leaf's name. */
  readonly leaf: string | undefined
  readonly claim: ConnectionClaim
  readonly dialedBy: "self" | "peer"
  readonly connectedSince: number
  lastFrameAt: number | undefined
  readonly send: (frame: Uint8Array) => void
  readonly close: (reason: string) => void
  /** Tells the peer why, then closes. */
  readonly refuse: (reason: string) => void
  /** Stream channels on this link's connection, set up once the registry admitted it. */
  streams: StreamChannels | undefined
}

export interface LinkRegistry {
  /**
   * Makes `link` its peer's link, unless the peer already has a link that `preferredClaim`
   * keeps: then "duplicate" tells the caller to close its connection. PeerUp is published only
   * for a peer that had no link, so a swap of connections is invisible to the Transport's users.
   */
  readonly admit: (link: Link) => Effect.Effect<"linked" | "duplicate">
  /** Called when a connection ends; publishes PeerDown if it still carried its peer's link. */
  readonly release: (link: Link, reason: string) => Effect.Effect<void>
  readonly get: (peer: PeerId) => Link | undefined
  readonly links: () => Iterable<Link>
  readonly peers: Effect.Effect<ReadonlyArray<PeerId>>
  readonly infos: Effect.Effect<ReadonlyArray<LinkInfo>>
  /**
   * Each run starts with PeerUp for the peers linked at that moment, then follows live events,
   * so any number of consumers, however late, see a consistent membership.
   */
  readonly events: Stream.Stream<PeerEvent>
}

export const makeLinkRegistry = Effect.gen(function* () {
  const links = new Map<PeerId, Link>()
  const published = yield* Effect.acquireRelease(PubSub.unbounded<PeerEvent>(), PubSub.shutdown)

  const admit = (link: Link) =>
    Effect.gen(function* () {
      const existing = links.get(link.peer)
      if (existing === undefined) {
        links.set(link.peer, link)
        yield* PubSub.publish(published, { _tag: "PeerUp", peer: link.peer })
        return "linked" as const
      }
      if (preferredClaim(existing.claim, link.claim) === "existing") return "duplicate" as const
      links.set(link.peer, link)
      if (existing.claim.publicKey !== link.claim.publicKey) {
        yield* Effect.logWarning(
          `node id ${link.peer} moved from public key ${existing.claim.publicKey} to ${link.claim.publicKey}; ` +
            "two nodes configured with the same id would keep replacing each other"
        )
      }
      existing.close("replaced by a newer connection to the same peer")
      return "linked" as const
    })

  const release = (link: Link, reason: string) =>
    Effect.suspend(() => {
      if (links.get(link.peer) !== link) return Effect.void
      links.delete(link.peer)
      return PubSub.publish(published, { _tag: "PeerDown", peer: link.peer, reason })
    })

  const infos = Effect.sync(() =>
    Array.from(
      links.values(),
      (link): LinkInfo => ({
        peer: link.peer,
        publicKey: link.claim.publicKey,
        connectedSince: link.connectedSince,
        lastFrameAt: link.lastFrameAt,
        dialedBy: link.dialedBy,
        ...(link.leaf === undefined ? {} : { leaf: link.leaf })
      })
    )
  )

  const events: Stream.Stream<PeerEvent> = Stream.unwrapScoped(
    Effect.gen(function* () {
      // Subscribe before the snapshot: an event racing with it is then seen twice (a PeerUp
      // repeated) rather than lost.
      const subscription = yield* PubSub.subscribe(published)
      const snapshot = Array.from(links.keys(), (peer): PeerEvent => ({ _tag: "PeerUp", peer }))
      return Stream.concat(Stream.fromIterable(snapshot), Stream.fromQueue(subscription))
    })
  )

  return {
    admit,
    release,
    get: (peer) => links.get(peer),
    links: () => links.values(),
    peers: Effect.sync(() => Array.from(links.keys())),
    infos,
    events
  } satisfies LinkRegistry
})
