import { Effect, Either } from "effect"
import type { TransportShape } from "../transport.ts"
import type { GossipConfig } from "./gossip.config.ts"
import { encodeGossip, type GossipMessage } from "./gossip.wire.ts"

/**
 * Encodes and sends one message; returns the bytes put on the wire (0 when it could not be
 * encoded within the frame limit, which only an oversized Push can hit — anti-entropy then
 * carries the record in a bounded delta instead). Sending is best effort, like the network.
 */
export const sendGossip = (
  transport: TransportShape,
  config: GossipConfig,
  peer: string,
  message: GossipMessage
): Effect.Effect<number> => {
  const frame = encodeGossip(message, transport.self, { maxFrameBytes: config.maxFrameBytes })
  if (Either.isLeft(frame)) return Effect.succeed(0)
  return transport.send(peer, frame.right).pipe(
    Effect.as(frame.right.byteLength),
    Effect.orElseSucceed(() => 0)
  )
}
