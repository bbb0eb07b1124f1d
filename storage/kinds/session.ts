/**
 * A browser's sign-in (kind `session`, id: 16 hex digits carried in the cookie). Only the
 * SHA-256 of the cookie's secret is stored, as for tokens. Replicated, so that a session
 * revoked on one node is refused by every node as soon as the tombstone arrives.
 */
import { Schema } from "effect"
import { EpochMillis, Label, NonEmpty, sha256Hex } from "./fields.ts"

export const sessionKind = "session"

export const Session = Schema.Struct({
  user: NonEmpty("the user"),
  hash: Schema.String.pipe(
    Schema.filter((value) => sha256Hex.test(value) || "the hash must be a SHA-256 digest as 64 lowercase hex digits")
  ),
  createdAt: EpochMillis("createdAt"),
  expiresAt: EpochMillis("expiresAt"),
  /** What the browser said it is (its User-Agent, cut short), to tell sessions apart in a list. */
  agent: Schema.optionalWith(Label("a browser's name"), { exact: true }),
  /** The account (the user record's) it was made for; absent where the user record has none. */
  account: Schema.optionalWith(NonEmpty("account"), { exact: true })
})
export type Session = typeof Session.Type
