/**
 * Closing a Node http server waits for its connections to end, and an idle keep-alive
 * connection ends only when its client or its timeout says so: seconds of a shutdown spent
 * waiting on nobody. Draining stops accepting, lets every request in flight finish, closes
 * each connection as soon as it is idle, and cuts what is still running after `timeout`, the
 * streams (`cutStreams`) among it.
 */
import type { Server } from "node:http"
import { Duration, Effect } from "effect"

const idleSweep = Duration.millis(25)

export const drainServer = (server: Server, timeout: Duration.Duration, cutStreams: Effect.Effect<void>): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (!server.listening) return resume(Effect.void)
    const sweep = setInterval(() => server.closeIdleConnections(), Duration.toMillis(idleSweep))
    // An upgraded connection (a stream) is no longer the server's to cut, yet keeps it open.
    const cut = setTimeout(() => {
      server.closeAllConnections()
      Effect.runSync(cutStreams)
    }, Duration.toMillis(timeout))
    server.close(() => {
      clearInterval(sweep)
      clearTimeout(cut)
      resume(Effect.void)
    })
    server.closeIdleConnections()
    return Effect.sync(() => {
      clearInterval(sweep)
      clearTimeout(cut)
    })
  })
