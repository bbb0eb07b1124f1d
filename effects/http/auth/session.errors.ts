import { Data } from "effect"
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./passwordHash.ts"

/** Deliberately one message for an unknown name, a user without a password and a wrong password. */
export class WrongCredentials extends Data.TaggedError("WrongCredentials")<{}> {
  override get message() {
    return "wrong user name or password"
  }
}

export class PasswordRefused extends Data.TaggedError("PasswordRefused")<{ readonly length: number }> {
  override get message() {
    return this.length < MIN_PASSWORD_LENGTH
      ? `a password must be at least ${MIN_PASSWORD_LENGTH} characters long (got ${this.length})`
      : `a password must be at most ${MAX_PASSWORD_LENGTH} characters long (got ${this.length})`
  }
}

export class CurrentPasswordNeeded extends Data.TaggedError("CurrentPasswordNeeded")<{ readonly wrong: boolean }> {
  override get message() {
    return this.wrong
      ? "the current password is wrong"
      : "changing your own password needs the current one (`currentPassword`); an admin can set it without"
  }
}

export class SessionNotFound extends Data.TaggedError("SessionNotFound")<{ readonly id: string }> {
  override get message() {
    return `no session with id ${this.id}; it may have been revoked or expired already`
  }
}

/** The session is unknown, revoked, expired, or its user was removed. */
export class InvalidSession extends Data.TaggedError("InvalidSession")<{}> {
  override get message() {
    return "your session has ended (signed out, revoked or expired); sign in again"
  }
}

/** A leaf serves its users' passwords but may not change them: the cluster would refuse the record. */
export class PasswordsOnCluster extends Data.TaggedError("PasswordsOnCluster")<{ readonly origin: string }> {
  override get message() {
    return `passwords are set on the cluster; set it on the origin node ${this.origin}`
  }
}
