/** What an HTTP client is told when a stream does not open: a status and the API's error body. */
import type { StreamOpenError } from "../../streams/spaceStreams.errors.ts"
import { REQUEST_ID_HEADER } from "../requestIds.ts"
import type { HttpRefusal } from "./streamAuth.ts"

const statusOf: Record<StreamOpenError["_tag"], readonly [number, string]> = {
  StreamForbidden: [403, "not_owner"],
  StreamSpaceNotFound: [404, "space_not_found"],
  SpaceNotRunning: [409, "space_not_running"],
  StreamLimitReached: [429, "too_many_streams"],
  StreamFailed: [502, "stream_failed"],
  OwnerUnreachable: [503, "owner_unreachable"]
}

export const refusalOf = (error: StreamOpenError): HttpRefusal => {
  const [status, code] = statusOf[error._tag]
  return { status, code, message: error.message }
}

const reasons: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  429: "Too Many Requests",
  502: "Bad Gateway",
  503: "Service Unavailable"
}

/**
 * The whole HTTP response, for a socket no `ServerResponse` writes to (an upgrade, a proxied
 * port), naming its request as every answer of the API does.
 */
export const rawResponse = (refusal: HttpRefusal, requestId: string): string => {
  const id = `${REQUEST_ID_HEADER}: ${requestId}\r\n`
  if (refusal.location !== undefined) {
    return `HTTP/1.1 303 See Other\r\nLocation: ${refusal.location}\r\n${id}Content-Length: 0\r\nConnection: close\r\n\r\n`
  }
  const tag = refusal.status === 401
    ? "Unauthorized"
    : refusal.status === 403
    ? "Forbidden"
    : refusal.status === 404
    ? "NotFound"
    : refusal.status === 409
    ? "Conflict"
    : refusal.status === 429
    ? "TooManyRequests"
    : refusal.status === 400
    ? "BadRequest"
    : "Unavailable"
  const body = JSON.stringify({ _tag: tag, code: refusal.code, message: refusal.message })
  return `HTTP/1.1 ${refusal.status} ${reasons[refusal.status] ?? "Error"}\r\n` +
    "Content-Type: application/json\r\n" + id +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    "Connection: close\r\n\r\n" + body
}
