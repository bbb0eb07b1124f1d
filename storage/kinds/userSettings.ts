/**
 * A user's role and whether an admin disabled them, each a record of its own keyed by the
 * user's name, rather than fields an admin's change writes into the `user` record again. That
 * record is one last-writer-wins value, written from a read: a change made on one node before
 * it had heard of another's (an admin disables a stolen account on one node while another
 * promotes it on another) would write the whole record again and undo the other change, or
 * bring a deleted user back. Now the `user` record is written only when the user is created or
 * deleted, and each setting is a value of its own: concurrent changes of different settings
 * both stand, and a change of one setting never undoes a deletion.
 *
 * Each carries the account it was set for (storage/kinds/user.ts): a user deleted and created
 * again under the same name is a new account, and takes none of the old one's settings.
 */
import { Schema } from "effect"
import { NonEmpty } from "./fields.ts"
import { UserRole } from "./user.ts"

export const userRoleKind = "user-role"
export const userStatusKind = "user-status"

const account = Schema.optionalWith(NonEmpty("account"), { exact: true })

export const UserRoleSetting = Schema.Struct({ role: UserRole, account })
export type UserRoleSetting = typeof UserRoleSetting.Type

export const UserStatus = Schema.Struct({ disabled: Schema.Boolean, account })
export type UserStatus = typeof UserStatus.Type
