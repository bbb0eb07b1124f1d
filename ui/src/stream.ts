/**
 * A stream into a space over the node's WebSocket: a single-use ticket (asked for with the
 * session cookie) goes as a subprotocol beside `knot.v1`, never in the URL. Binary frames
 * from the node are one byte of fd, then data; text frames are JSON control messages.
 */
import { api } from "./api.ts"

export interface StreamHandlers {
  readonly onData: (fd: number, bytes: Uint8Array) => void
  readonly onExit: (code: number) => void
  readonly onError: (message: string) => void
  readonly onClose: () => void
}

export interface OpenStream {
  readonly send: (data: string | Uint8Array) => void
  readonly resize: (cols: number, rows: number) => void
  readonly close: () => void
}

export const openStream = async (path: string, handlers: StreamHandlers): Promise<OpenStream> => {
  const { ticket } = await api<{ ticket: string }>("POST", "/api/streams/ticket")
  const scheme = location.protocol === "https:" ? "wss:" : "ws:"
  const socket = new WebSocket(`${scheme}//${location.host}${path}`, ["knot.v1", `knot.ticket.${ticket}`])
  socket.binaryType = "arraybuffer"
  const encoder = new TextEncoder()
  socket.onmessage = (event) => {
    if (typeof event.data === "string") {
      const control = JSON.parse(event.data) as { type: string; code?: number; message?: string }
      if (control.type === "exit") handlers.onExit(control.code ?? 0)
      else if (control.type === "error") handlers.onError(control.message ?? "the stream failed")
      return
    }
    const bytes = new Uint8Array(event.data as ArrayBuffer)
    handlers.onData(bytes[0] ?? 1, bytes.subarray(1))
  }
  socket.onclose = (event) => {
    // A refusal before the upgrade (403, 409 not running) reaches a browser only as a failed handshake.
    if (event.code === 1006) handlers.onError("the node closed the stream (is the space running?)")
    handlers.onClose()
  }
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve()
    socket.onerror = () => reject(new Error("could not open the stream: is the space running, and is it yours?"))
  })
  return {
    send: (data) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(typeof data === "string" ? encoder.encode(data) : data)
    },
    resize: (cols, rows) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "resize", cols, rows }))
    },
    close: () => socket.close(1000)
  }
}

export const spaceStreamPath = (owner: string, name: string, what: string) =>
  `/api/spaces/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/${what}`
