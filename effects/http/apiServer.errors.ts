import { Data } from "effect"

const reasons: Record<string, string> = {
  EADDRINUSE: "the address is in use; is another knot server running? Pick another with --listen HOST:PORT",
  EACCES: "permission denied; ports below 1024 need privileges, pick another with --listen HOST:PORT",
  EADDRNOTAVAIL: "no interface of this machine has that address; pick another with --listen HOST:PORT"
}

/** The API could not listen where it was told to. */
export class ApiListenFailed extends Data.TaggedError("ApiListenFailed")<{
  readonly address: string
  /** The system's error code (EADDRINUSE, ...), when it gave one. */
  readonly code: string | undefined
  readonly detail: string
}> {
  override get message() {
    const reason = this.code === undefined ? this.detail : reasons[this.code] ?? `${this.code}: ${this.detail}`
    return `cannot listen on ${this.address}: ${reason}`
  }
}
