/**
 * A public key on a user's profile (kind `ssh-key`, id: the SHA-256 of the key's wire blob as
 * 64 lowercase hex digits), that the SSH gateway of every node accepts for that user. Keyed by
 * the key itself, so a gateway finds the user of an offered key with one read, and one key
 * belongs to one user.
 */
import { Schema } from "effect"
import { EpochMillis, Label, NonEmpty } from "./fields.ts"

export const sshKeyKind = "ssh-key"

const publicKeyLine = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}$/

export const SshKey = Schema.Struct({
  /** The user id it signs in as. */
  user: NonEmpty("the user"),
  /** `TYPE BASE64`, as in authorized_keys, without the comment. */
  publicKey: Schema.String.pipe(
    Schema.filter((value) =>
      publicKeyLine.test(value) ||
      "the public key must read `TYPE BASE64` (ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256/384/521)"
    )
  ),
  /** What its owner calls it ("laptop"); by default the key file's comment. */
  name: Label("a key name"),
  addedAt: EpochMillis("addedAt"),
  /** The account (the user record's) it was added for: a user made again under the name does not inherit it. */
  account: Schema.optionalWith(NonEmpty("account"), { exact: true })
})
export type SshKey = typeof SshKey.Type
