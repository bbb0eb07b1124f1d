/** A user of knot. */
import { Schema } from "effect"
import { NonEmpty } from "./fields.ts"

export const UserRole = Schema.Literal("admin", "user")
export type UserRole = typeof UserRole.Type

export const User = Schema.Struct({
  name: NonEmpty("a user name"),
  /** The role the user was created with; a `user-role` record of the account overrides it (userSettings.ts). */
  role: UserRole,
  /**
   * Set here by versions before `user-status` records (userSettings.ts), which override it:
   * the user's tokens fail on every node until re-enabled.
   */
  disabled: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /**
   * Minted when the account is created. Its password and sessions carry it, so a user deleted
   * and created again under the same name (the id) inherits none of them, even those written
   * on a node that had not heard of the deletion. Absent on accounts made before it existed.
   */
  account: Schema.optionalWith(NonEmpty("account"), { exact: true })
})
export type User = typeof User.Type
