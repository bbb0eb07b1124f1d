import { createHmac, timingSafeEqual } from "node:crypto"

export const CLUSTER_KEY_BYTES = 32

/**
 * The DHT topic the cluster's nodes announce on. Keyed by the cluster key so that the topic,
 * which every DHT node on the path sees, reveals nothing of the key.
 */
export const clusterTopic = (clusterKey: Uint8Array): Buffer =>
  createHmac("sha256", clusterKey).update("knot/1 cluster topic").digest()

/**
 * Proof that the sender holds the cluster key, bound to one Noise session (the handshake hash
 * is the same on both ends and unique per connection) and to the sender's own public key (so a
 * peer cannot reflect our proof back at us).
 */
export const helloMac = (clusterKey: Uint8Array, handshakeHash: Uint8Array, senderPublicKey: Uint8Array): Buffer =>
  createHmac("sha256", clusterKey).update(handshakeHash).update(senderPublicKey).digest()

/** Constant-time comparison, so a peer cannot learn a valid MAC byte by byte. */
export const macMatches = (expected: Uint8Array, received: Uint8Array): boolean =>
  expected.byteLength === received.byteLength && timingSafeEqual(expected, received)
