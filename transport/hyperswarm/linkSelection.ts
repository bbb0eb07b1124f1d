/** What decides between two authenticated connections that claim the same peer. */
export interface ConnectionClaim {
  /** The peer's Noise public key, lowercase hex. */
  readonly publicKey: string
  /** The peer's per-process session from its hello. */
  readonly session: string
  /** Lowercase hex public key of the end that dialed this connection. */
  readonly initiator: string
}

/**
 * Which of two authenticated connections to one peer stays its link. Both ends evaluate this on
 * the same pair of connections and must agree, or each would close the other's choice:
 * - a claim from another process of the peer (new session or key) wins: the peer restarted
 *   and the old connection is dead even if its close has not arrived yet;
 * - two connections dialed by the same end: the newest wins, since the dialer only redials
 *   after losing its previous connection;
 * - otherwise the connection dialed by the lower public key wins, whatever order they arrived in.
 */
export const preferredClaim = (existing: ConnectionClaim, candidate: ConnectionClaim): "existing" | "candidate" => {
  if (existing.session !== candidate.session || existing.publicKey !== candidate.publicKey) return "candidate"
  if (existing.initiator === candidate.initiator) return "candidate"
  return candidate.initiator < existing.initiator ? "candidate" : "existing"
}
