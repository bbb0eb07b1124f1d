/**
 * The CLI's side of a stream endpoint: a WebSocket to the node, authenticated with the
 * session's token. A refusal before the upgrade (401, 403, 404, 409, 503, ...) becomes the
 * node's own message; an error or exit sent on the socket ends the stream with it.
 */
import { Effect, Redacted } from "effect"
import WebSocket from "ws"
import { CliFailure } from "./cliFailure.ts"
import type { Connection } from "./connection.ts"
import { withRequestId } from "./refusal.ts"
import type { SpaceAddress } from "./spaceAddress.ts"

/** How long a node may take to answer the upgrade (it may be carrying it to another node). */
const OPEN_TIMEOUT_MS = 30_000

export const streamUrl = (connection: Connection, space: SpaceAddress, tail: string): string =>
  `${connection.server.replace(/^http/, "ws")}/api/spaces/${encodeURIComponent(space.owner)}/${encodeURIComponent(space.name)}/${tail}`

const refusalMessage = (status: number, body: string): string => {
  try {
    const parsed = JSON.parse(body) as { readonly message?: unknown }
    if (typeof parsed.message === "string") return parsed.message
  } catch {
    // Not the API's JSON: a proxy's page, say; the status says enough.
  }
  return `the node answered ${status} instead of opening the stream`
}

/** Opens the socket; fails with one line if the node refuses or cannot be reached. */
export const openStreamSocket = (connection: Connection, url: string): Effect.Effect<WebSocket, CliFailure> =>
  Effect.async<WebSocket, CliFailure>((resume) => {
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${Redacted.value(connection.token)}` },
      handshakeTimeout: OPEN_TIMEOUT_MS,
      perMessageDeflate: false
    })
    // Output the node sends with its upgrade answer arrives in the very next tick, before
    // followStream can listen: held until it does, or a shell's first prompt is lost.
    socket.once("open", () => {
      socket.pause()
      resume(Effect.succeed(socket))
    })
    socket.once("unexpected-response", (_request, response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (body += chunk))
      response.on("end", () => {
        const status = response.statusCode ?? 0
        const id = response.headers["x-request-id"]
        const message = withRequestId(refusalMessage(status, body), status, typeof id === "string" ? id : undefined)
        resume(Effect.fail(new CliFailure({ message })))
      })
    })
    socket.once("error", (error) =>
      resume(Effect.fail(new CliFailure({ message: `cannot reach the knot node at ${connection.server}: ${error.message}` }))))
    return Effect.sync(() => socket.terminate())
  })

/** What ended a stream: the remote exit code (exec, shell), a plain end (logs), or a failure to report. */
export type StreamEnd =
  | { readonly _tag: "Exit"; readonly code: number | undefined }
  | { readonly _tag: "Failed"; readonly message: string }

/**
 * Reads the socket (paused since it opened) until the stream ends: binary messages go to
 * `onOutput` (fd, bytes) and may return a promise to hold further reading until they are
 * written; text messages end it.
 */
export const followStream = (
  socket: WebSocket,
  onOutput: (fd: number, bytes: Buffer) => Promise<void> | undefined
): Promise<StreamEnd> =>
  new Promise((resolve) => {
    let end: StreamEnd | undefined
    socket.on("message", (data: Buffer, binary: boolean) => {
      if (binary) {
        const pending = onOutput(data[0] ?? 1, data.subarray(1))
        if (pending !== undefined) {
          socket.pause()
          void pending.then(() => socket.resume())
        }
        return
      }
      try {
        const control = JSON.parse(data.toString("utf8")) as { readonly type?: string; readonly code?: number; readonly message?: string }
        if (control.type === "exit") end = { _tag: "Exit", code: control.code }
        if (control.type === "error") end = { _tag: "Failed", message: control.message ?? "the stream failed" }
      } catch {
        end = { _tag: "Failed", message: "the node sent a control message this CLI cannot read" }
      }
    })
    socket.on("close", (code, reason) => {
      resolve(end ?? { _tag: "Failed", message: `the connection to the node closed before the stream ended (${code}${reason.length > 0 ? `: ${reason.toString()}` : ""})` })
    })
    socket.on("error", () => undefined)
    socket.resume()
  })

/** Writes to a stdio stream, resolving once it has taken the bytes (so a slow terminal holds the stream back). */
export const writeOut = (target: NodeJS.WriteStream, bytes: Buffer): Promise<void> | undefined =>
  target.write(bytes) ? undefined : new Promise((resolve) => target.once("drain", () => resolve()))

export const sendControl = (socket: WebSocket, control: object) => {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(control))
}
