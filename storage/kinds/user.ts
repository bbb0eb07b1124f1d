/** A user of knot. */
import { Schema } from "effect"
import { NonEmpty } from "./fields.ts"

export const UserRole = Schema.Literal("admin", "user")
export type UserRole = typeof UserRole.Type

export const User = Schema.Struct({
  name: NonEmpty("a user name"),
  role: UserRole,
  /** Set by an admin: the user's tokens fail on every node until re-enabled. */
  disabled: Schema.optionalWith(Schema.Boolean, { exact: true })
})
export type User = typeof User.Type
