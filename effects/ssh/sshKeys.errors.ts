/** What can go wrong with a key on a profile; each message says what to do. */
import { Data } from "effect"

export class SshKeyInvalid extends Data.TaggedError("SshKeyInvalid")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** One key signs in as one user: the gateway must know whose it is. */
export class SshKeyTaken extends Data.TaggedError("SshKeyTaken")<{ readonly fingerprint: string }> {
  override get message() {
    return `the key ${this.fingerprint} is on another user's profile; a key can sign in as one user only, so make a new one (ssh-keygen -t ed25519)`
  }
}

export class SshKeyNotFound extends Data.TaggedError("SshKeyNotFound")<{ readonly key: string }> {
  override get message() {
    return `no SSH key ${this.key}; \`knot user ssh-key list\` shows the keys and their fingerprints`
  }
}
