import { Data } from "effect"
import { minimumSecretLength } from "./tokenSecret.ts"

export class UserNameTaken extends Data.TaggedError("UserNameTaken")<{ readonly name: string }> {
  override get message() {
    return `a user named ${this.name} already exists`
  }
}

export class UserNotFound extends Data.TaggedError("UserNotFound")<{ readonly user: string }> {
  override get message() {
    return `no user named ${this.user}; see \`knot user list\``
  }
}

export class AccountDisabled extends Data.TaggedError("AccountDisabled")<{ readonly user: string }> {
  override get message() {
    return `the account ${this.user} is disabled; an admin can enable it with \`knot user enable ${this.user}\``
  }
}

/** An admin may not lock themselves out: another admin must do it. */
export class OwnAccount extends Data.TaggedError("OwnAccount")<{ readonly action: string }> {
  override get message() {
    return `an admin cannot ${this.action} their own account; another admin can`
  }
}

export class TokenNotFound extends Data.TaggedError("TokenNotFound")<{ readonly id: string }> {
  override get message() {
    return `no token with id ${this.id}; see \`knot token list\``
  }
}

/** The token is unknown, revoked, or belongs to a user who no longer exists. */
export class InvalidToken extends Data.TaggedError("InvalidToken")<{}> {
  override get message() {
    return "the token is not valid on this node (unknown, revoked, or its user was removed); create one with `knot token create`"
  }
}

export class AdminTokenTooShort extends Data.TaggedError("AdminTokenTooShort")<{ readonly length: number }> {
  override get message() {
    return `KNOT_ADMIN_TOKEN must be at least ${minimumSecretLength} characters long (got ${this.length}); unset it to have one generated`
  }
}

export class LeafNameTaken extends Data.TaggedError("LeafNameTaken")<{ readonly name: string }> {
  override get message() {
    return `a leaf named ${this.name} already exists; revoke it first (\`knot leaf revoke ${this.name}\`) to issue a new credential`
  }
}

export class LeafRevoked extends Data.TaggedError("LeafRevoked")<{ readonly name: string }> {
  override get message() {
    return `leaf ${this.name} is revoked; add it again with \`knot leaf add ${this.name}\`, which issues a new credential`
  }
}

export class LeafNotFound extends Data.TaggedError("LeafNotFound")<{ readonly name: string }> {
  override get message() {
    return `no leaf named ${this.name}; see \`knot leaf list\``
  }
}
