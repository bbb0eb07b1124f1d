/**
 * A browser session's cookie and its CSRF proof. The cookie holds `ks_<id>_<random>`: the id
 * finds the session record in one read, the random part is what grants access, and only the
 * SHA-256 of the whole is stored. The CSRF proof is an HMAC of the secret, so the node checks
 * it without storing it, and a page that can read it (same origin) is the only one that has it.
 */
import { createHmac } from "node:crypto"

export const SESSION_COOKIE = "knot_session"
export const CSRF_HEADER = "x-knot-csrf"

const shape = /^ks_([0-9a-f]{16})_[0-9a-f]{64}$/

export const formatSessionSecret = (id: Uint8Array, random: Uint8Array) => {
  const sessionId = Buffer.from(id).toString("hex")
  return { id: sessionId, secret: `ks_${sessionId}_${Buffer.from(random).toString("hex")}` }
}

export const sessionIdOf = (secret: string): string | undefined => shape.exec(secret)?.[1]

export const csrfProofOf = (secret: string): string => createHmac("sha256", secret).update("knot csrf").digest("hex")
