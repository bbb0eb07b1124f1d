/**
 * A channel from the gateway to the SSH client's agent (`auth-agent@openssh.com`), one per
 * connection a process in the space makes to its agent socket. ssh2 1.17 speaks this channel in
 * its protocol layer but gives a server's connection no method that opens it, so this opens it
 * as ssh2's own server opens the channel types it does expose: a slot in the channel manager,
 * then the open message; the confirmation makes the channel.
 */
import { Effect } from "effect"
import type { Connection, ServerChannel } from "ssh2"

/** ssh2's window and packet sizes for the channels it opens itself. */
const WINDOW = 2 * 1024 * 1024
const PACKET_SIZE = 32 * 1024

interface ConnectionInternals {
  readonly _chanMgr: { add: (callback: ChannelCallback) => number }
  readonly _protocol: { openssh_authAgent: (channel: number, window: number, packetSize: number) => void }
}

type ChannelCallback = ((error: Error | undefined, channel?: ServerChannel) => void) & { type?: string }

export const openAgentChannel = (connection: Connection): Effect.Effect<ServerChannel, Error> =>
  Effect.async<ServerChannel, Error>((resume) => {
    const internals = connection as unknown as ConnectionInternals
    const callback: ChannelCallback = (error, channel) =>
      resume(error !== undefined || channel === undefined
        ? Effect.fail(error ?? new Error("the client opened no agent channel"))
        : Effect.succeed(channel))
    callback.type = "auth-agent@openssh.com"
    const local = internals._chanMgr.add(callback)
    if (local === -1) return resume(Effect.fail(new Error("no free channels on this connection")))
    internals._protocol.openssh_authAgent(local, WINDOW, PACKET_SIZE)
  })
