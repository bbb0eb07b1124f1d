/**
 * A template's HTTP port in a browser: `/spaces/OWNER/NAME/ports/PORT/...` is passed to
 * 127.0.0.1:PORT in the space over a TCP stream, with the prefix cut off the path. Each
 * request gets its own stream and `Connection: close`, so the space's server needs no
 * keep-alive across it; a WebSocket upgrade passes through as raw bytes both ways. The
 * space's server never sees knot's own credentials: the Authorization header and the session
 * cookie stay at the node.
 */
import type { IncomingMessage } from "node:http"
import type { Duplex } from "node:stream"
import { Effect, Stream } from "effect"
import type { SpaceStream } from "../../streams/spaceStreams.ts"
import { SESSION_COOKIE } from "../auth/sessionSecret.ts"

/** The Cookie header without knot's session; undefined when nothing else is left. */
const cookiesForSpace = (header: string): string | undefined => {
  const kept = header.split(";").map((pair) => pair.trim()).filter((pair) => pair !== "" && !pair.startsWith(`${SESSION_COOKIE}=`))
  return kept.length === 0 ? undefined : kept.join("; ")
}

/** Headers that belong to the hop to knot, not to the space's server. */
const hopHeaders = new Set(["authorization", "connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"])

export const requestHead = (request: IncomingMessage, path: string, prefix: string, upgrade: boolean): string => {
  const lines = [`${request.method ?? "GET"} ${path} HTTP/1.1`]
  const raw = request.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (hopHeaders.has(name.toLowerCase())) continue
    if (name.toLowerCase() === "sec-websocket-protocol" && !upgrade) continue
    if (name.toLowerCase() === "cookie") {
      const kept = cookiesForSpace(raw[i + 1]!)
      if (kept !== undefined) lines.push(`${name}: ${kept}`)
      continue
    }
    lines.push(`${name}: ${raw[i + 1]}`)
  }
  if (upgrade) {
    lines.push(`Connection: Upgrade`, `Upgrade: ${request.headers.upgrade ?? "websocket"}`)
  } else {
    lines.push("Connection: close")
    // The body is sent as it arrives; its length is what the client said, or chunks re-framed below.
    if (request.headers["transfer-encoding"] !== undefined) lines.push("Transfer-Encoding: chunked")
  }
  lines.push(`X-Forwarded-Prefix: ${prefix}`)
  return `${lines.join("\r\n")}\r\n\r\n`
}

const writeTo = (socket: Duplex, bytes: Uint8Array) =>
  Effect.async<void>((resume) => {
    if (socket.destroyed) return resume(Effect.void)
    if (socket.write(bytes)) return resume(Effect.void)
    socket.once("drain", () => resume(Effect.void))
  })

/** Carries the request (head, then body or upgraded bytes) in, and the raw response back onto `socket`. */
export const proxyOver = (
  stream: SpaceStream,
  request: IncomingMessage,
  socket: Duplex,
  head: string,
  upgraded: Buffer | undefined
): Effect.Effect<void> =>
  Effect.gen(function*() {
    yield* Effect.ignore(stream.write(Buffer.from(head)))
    if (upgraded !== undefined && upgraded.byteLength > 0) yield* Effect.ignore(stream.write(upgraded))
    const source: Stream.Stream<Uint8Array> = Stream.fromAsyncIterable(
      upgraded === undefined ? request : socket,
      () => undefined
    ).pipe(Stream.catchAll(() => Stream.empty)) as Stream.Stream<Uint8Array>
    const chunked = upgraded === undefined && request.headers["transfer-encoding"] !== undefined
    const inbound = Stream.runForEach(source, (chunk) =>
      Effect.ignore(stream.write(
        chunked ? Buffer.concat([Buffer.from(`${chunk.byteLength.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]) : chunk
      ))).pipe(
        Effect.zipRight(chunked ? Effect.ignore(stream.write(Buffer.from("0\r\n\r\n"))) : Effect.void),
        // A plain request is whole once its body is in: the server may wait for the input to end.
        Effect.zipRight(upgraded === undefined ? stream.endInput : Effect.never)
      )
    const outbound = Stream.runForEach(stream.output, (chunk) => writeTo(socket, chunk.bytes)).pipe(Effect.ignore)
    yield* Effect.fork(inbound)
    yield* outbound
    socket.end()
  })
