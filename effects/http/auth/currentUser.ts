import { Context } from "effect"
import type { UserRole } from "../../../storage/kinds/user.ts"

export interface AuthenticatedUser {
  readonly id: string
  readonly name: string
  readonly role: UserRole
  /** Only on an account an admin disabled; its tokens no longer authenticate. */
  readonly disabled?: true
}

/** Who made the request; the Authentication middleware provides it to every handler behind it. */
export class CurrentUser extends Context.Tag("knot/http/CurrentUser")<CurrentUser, AuthenticatedUser>() {}
