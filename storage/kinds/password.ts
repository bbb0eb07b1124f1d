/**
 * A user's password for signing in from a browser (kind `password`, id: the user id). Kept
 * apart from the `user` record so that a role change or a disable, which rewrite that record,
 * never touch it, and so that a leaf may be sent the users it serves without being able to
 * write a password: passwords are set on the cluster.
 */
import { Schema } from "effect"
import { EpochMillis, NonEmpty } from "./fields.ts"

export const passwordKind = "password"

/** `scrypt$N$r$p$SALT$KEY`, salt and key in base64url: the parameters travel with the hash, so they can grow. */
const scryptHash = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{32,}$/

export const Password = Schema.Struct({
  user: NonEmpty("the user"),
  hash: Schema.String.pipe(
    Schema.filter((value) => scryptHash.test(value) || "the hash must read scrypt$N$r$p$SALT$KEY")
  ),
  setAt: EpochMillis("setAt"),
  /** The account (the user record's) it was made for; absent where the user record has none. */
  account: Schema.optionalWith(NonEmpty("account"), { exact: true })
})
export type Password = typeof Password.Type
