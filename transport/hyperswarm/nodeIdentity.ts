/**
 * A cluster node's id is a function of its Noise public key, so that no peer can announce
 * an id that is not its own: the handshake proves the key, and the key fixes the id. 48 bits
 * of SHA-256 make finding a key for a chosen id (a second preimage) cost ~2^48 key
 * generations, far beyond what an attacker spends to impersonate one node of one team.
 */
import { createHash } from "node:crypto"

export const nodeIdOfKey = (publicKey: Uint8Array): string =>
  `n-${createHash("sha256").update(publicKey).digest("hex").slice(0, 12)}`
