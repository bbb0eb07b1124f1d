/**
 * The SSH user name is the space: `NAME` for one of the caller's own, `OWNER.NAME` for anyone's
 * (the API's `OWNER/NAME`; a "/" cannot be in an SSH user name, and "." can be in neither a
 * user's nor a space's name, so the split is never ambiguous).
 */
import { Either } from "effect"

export interface SshSpaceAddress {
  /** Absent: the caller's own space. */
  readonly owner: string | undefined
  readonly name: string
}

const slug = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

export const parseSshUser = (user: string): Either.Either<SshSpaceAddress, string> => {
  const parts = user.split(".")
  const invalid = `"${user}" is not a space: log in as NAME for one of your spaces, or OWNER.NAME for another user's (admins)`
  if (parts.length === 1 && slug.test(user)) return Either.right({ owner: undefined, name: user })
  if (parts.length === 2 && slug.test(parts[0]!) && slug.test(parts[1]!)) return Either.right({ owner: parts[0], name: parts[1]! })
  return Either.left(invalid)
}

/** The SSH user name that reaches a space from any caller allowed on it. */
export const sshUserOf = (space: { readonly owner: string; readonly name: string }): string => `${space.owner}.${space.name}`
