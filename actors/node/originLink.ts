/**
 * What a leaf knows of its link to its origin, for `knot cluster status`: linked since when,
 * or unreachable since when. Only a leaf provides it; other nodes have no origin.
 */
import type { Effect, Stream } from "effect"
import { Context, Schema } from "effect"

export const OriginLinkStatus = Schema.Struct({
  /** The origin's public key, as in `[leaf] origin`. */
  origin: Schema.String,
  state: Schema.Literal("connected", "unreachable"),
  /**
   * Epoch ms: when the link came up, or when it was lost; a leaf that has not reached its
   * origin since it started counts from its start.
   */
  since: Schema.Number,
  /** The origin's node id, once a link has shown it. */
  node: Schema.optionalWith(Schema.String, { exact: true }),
  /** Why the origin refused or closed the link last, as it said (a revoked credential, say). */
  refused: Schema.optionalWith(Schema.String, { exact: true })
})
export type OriginLinkStatus = typeof OriginLinkStatus.Type

export interface OriginLinkShape {
  readonly status: Effect.Effect<OriginLinkStatus>
  /** A signal each time the status changes, for whoever shows it live. */
  readonly changes: Stream.Stream<void>
  /** The link to the origin authenticated. */
  readonly linked: (node: string) => Effect.Effect<void>
  /** The link to the origin closed. */
  readonly lost: Effect.Effect<void>
  /** The origin said why it would not link or why it closed the link. */
  readonly refused: (reason: string) => Effect.Effect<void>
}

export class OriginLink extends Context.Tag("knot/OriginLink")<OriginLink, OriginLinkShape>() {}
