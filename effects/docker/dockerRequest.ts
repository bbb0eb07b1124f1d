import { Data, Duration, Effect } from "effect"
import { EngineUnreachable } from "../container/containerDriver.errors.ts"

/**
 * The engine answered with an HTTP status outside the call's success set. Each driver
 * operation decides what a status means for it (a 404 is a missing image on create, a
 * missing container on start, and success on stop), so this never leaves effects/docker.
 */
export class EngineRefusal extends Data.TaggedError("EngineRefusal")<{
  readonly status: number
  readonly reason: string
}> {}

/** What docker-modem rejects with: an HTTP answer carries `statusCode`, a socket failure `code`. */
interface ModemError {
  readonly statusCode?: unknown
  readonly code?: unknown
  readonly message?: unknown
  readonly json?: unknown
}

const engineMessage = (json: unknown): string | undefined =>
  typeof json === "object" && json !== null && "message" in json && typeof json.message === "string"
    ? json.message
    : undefined

const classify = (socket: string, cause: unknown): EngineUnreachable | EngineRefusal => {
  const error: ModemError = typeof cause === "object" && cause !== null ? cause : {}
  const message = typeof error.message === "string" ? error.message : String(cause)
  if (typeof error.statusCode === "number") {
    return new EngineRefusal({ status: error.statusCode, reason: engineMessage(error.json) ?? message })
  }
  // Anything short of an HTTP answer (refused, no socket file, reset, aborted) means no engine spoke.
  return new EngineUnreachable({ socket, reason: message })
}

/**
 * One call to the engine API. The abort signal is handed to dockerode so that a timeout
 * also drops the HTTP request; a call that gets no answer within `timeout` counts as an
 * unreachable engine rather than blocking its caller forever.
 */
export const engineRequest = <A>(
  socket: string,
  operation: string,
  timeout: Duration.Duration,
  run: (signal: AbortSignal) => Promise<A>
): Effect.Effect<A, EngineUnreachable | EngineRefusal> =>
  Effect.tryPromise({ try: run, catch: (cause) => classify(socket, cause) }).pipe(
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () => new EngineUnreachable({ socket, reason: `no answer to ${operation} within ${Duration.format(timeout)}` })
    })
  )
