/** Why the SSH gateway could not start; each says what to change. */
import { Data } from "effect"

export class HostKeyUnusable extends Data.TaggedError("HostKeyUnusable")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `ssh host key ${this.path}: ${this.reason}`
  }
}

export class SshListenFailed extends Data.TaggedError("SshListenFailed")<{
  readonly address: string
  readonly detail: string
}> {
  override get message() {
    return `the SSH gateway cannot listen on ${this.address} (${this.detail}); set [ssh] listen to a free "host:port", or "" to turn it off`
  }
}
