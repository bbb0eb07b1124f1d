/**
 * The leaf's record of its origin link, written by the leaf link actor and read by the API.
 * It lives with the node, not the actor, and starts "unreachable since the start": a leaf
 * that comes up offline says so from its first answer.
 */
import { Clock, Effect, Layer, Stream, SubscriptionRef } from "effect"
import { OriginLink, type OriginLinkStatus } from "../../actors/node/originLink.ts"

export interface OriginLinkOptions {
  /** The origin's public key, as in `[leaf] origin`. */
  readonly origin: string
}

const make = (options: OriginLinkOptions) =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const status = yield* SubscriptionRef.make<OriginLinkStatus>({ origin: options.origin, state: "unreachable", since: startedAt })
    return OriginLink.of({
      status: SubscriptionRef.get(status),
      changes: Stream.as(Stream.drop(status.changes, 1), undefined),
      linked: (node) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          SubscriptionRef.set(status, { origin: options.origin, state: "connected", since: now, node })),
      lost: Effect.flatMap(Clock.currentTimeMillis, (now) =>
        SubscriptionRef.update(status, (current): OriginLinkStatus => ({ ...current, state: "unreachable", since: now }))),
      refused: (reason) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          SubscriptionRef.update(status, (current): OriginLinkStatus => ({
            ...current,
            refused: reason,
            ...(current.state === "connected" ? { state: "unreachable", since: now } : {})
          })))
    })
  })

export const OriginLinkLive = {
  make,
  layer: (options: OriginLinkOptions): Layer.Layer<OriginLink> => Layer.effect(OriginLink, make(options))
}
