/**
 * The streams the node's HTTP server carries once a request has become one: WebSocket streams
 * into spaces and proxied port connections. An upgraded connection leaves the server's own
 * tracking, so closing the server, which cuts its connections at the drain's bound, does not
 * cut these: they end here, a WebSocket's client told why.
 */
import { Context, type Effect } from "effect"

export interface OpenStreamsShape {
  /** Ends every stream open now; a WebSocket client gets `reason` as the stream's error. */
  readonly endAll: (reason: string) => Effect.Effect<void>
}

export class OpenStreams extends Context.Tag("knot/OpenStreams")<OpenStreams, OpenStreamsShape>() {}
