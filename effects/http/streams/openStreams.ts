/**
 * The streams the node's HTTP server carries once a request has become one: WebSocket streams
 * into spaces and proxied port connections. The drain's bound ends them here first
 * (serverDrain.ts), so that a WebSocket's client is told why, before their connections go.
 */
import { Context, type Effect } from "effect"

export interface OpenStreamsShape {
  /** Ends every stream open now; a WebSocket client gets `reason` as the stream's error. */
  readonly endAll: (reason: string) => Effect.Effect<void>
}

export class OpenStreams extends Context.Tag("knot/OpenStreams")<OpenStreams, OpenStreamsShape>() {}
