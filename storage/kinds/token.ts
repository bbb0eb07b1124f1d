/** An API token of a user. Only its hash is stored, so a copy of the database grants nothing. */
import { Schema } from "effect"
import { EpochMillis, Label, NonEmpty, sha256Hex } from "./fields.ts"

export const Token = Schema.Struct({
  /** The user id it acts as. */
  user: NonEmpty("the user"),
  /** SHA-256 of the secret, as 64 lowercase hex digits. */
  hash: Schema.String.pipe(
    Schema.filter((value) => sha256Hex.test(value) || "the hash must be a SHA-256 digest as 64 lowercase hex digits")
  ),
  createdAt: EpochMillis("createdAt"),
  /** A label for the owner ("laptop", "ci"). */
  name: Schema.optionalWith(Label("a token name"), { exact: true }),
  /** The account (the user record's) it was issued for: a user made again under the name does not inherit it. */
  account: Schema.optionalWith(NonEmpty("account"), { exact: true })
})
export type Token = typeof Token.Type
