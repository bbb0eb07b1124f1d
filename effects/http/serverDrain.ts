/**
 * Closing a Node http server waits for its connections to end, and an idle keep-alive
 * connection ends only when its client or its timeout says so: seconds of a shutdown spent
 * waiting on nobody. Draining stops accepting, lets every request in flight finish, closes
 * each connection as soon as it is idle, and cuts what is still running after `timeout`.
 *
 * A connection that became a stream (a WebSocket, a proxied port) has left the server's own
 * tracking, so `closeAllConnections` misses it, yet the server's close waits for it; so does
 * one whose upgrade is still waiting on the space. The drain follows every connection from the
 * server's start: at the bound the streams are ended first (`cutStreams`, which tells their
 * clients why), and whatever is still open a moment later is destroyed.
 */
import type { Server } from "node:http"
import type { Socket } from "node:net"
import { Duration, Effect } from "effect"

const idleSweep = Duration.millis(25)

/** How long the streams ended at the bound have to close before their connections are destroyed. */
const streamsGrace = Duration.seconds(1)

export type DrainServer = (timeout: Duration.Duration, cutStreams: Effect.Effect<void>) => Effect.Effect<void>

/** The drain of `server`, to make as the server is made: it follows the connections from the first. */
export const serverDrain = (server: Server): DrainServer => {
  const open = new Set<Socket>()
  server.on("connection", (socket: Socket) => {
    open.add(socket)
    socket.once("close", () => open.delete(socket))
  })
  return (timeout, cutStreams) =>
    Effect.async<void>((resume) => {
      if (!server.listening) return resume(Effect.void)
      const sweep = setInterval(() => server.closeIdleConnections(), Duration.toMillis(idleSweep))
      let destroy: ReturnType<typeof setTimeout> | undefined
      const cut = setTimeout(() => {
        server.closeAllConnections()
        Effect.runSync(cutStreams)
        destroy = setTimeout(() => {
          for (const socket of open) socket.destroy()
        }, Duration.toMillis(streamsGrace))
      }, Duration.toMillis(timeout))
      const stop = () => {
        clearInterval(sweep)
        clearTimeout(cut)
        clearTimeout(destroy)
      }
      server.close(() => {
        stop()
        resume(Effect.void)
      })
      server.closeIdleConnections()
      return Effect.sync(stop)
    })
}
