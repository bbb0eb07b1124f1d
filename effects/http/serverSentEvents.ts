/**
 * Server-Sent Events framing (the WHATWG `text/event-stream` format), both ways: what the
 * change feed writes and what the CLI reads. Only the fields knot uses: `id`, `event`, `data`.
 */

export interface SseMessage {
  readonly id?: string | undefined
  readonly event: string
  readonly data: string
}

export const formatSse = (message: SseMessage): string =>
  `${message.id === undefined ? "" : `id: ${message.id}\n`}event: ${message.event}\n${
    message.data.split("\n").map((line) => `data: ${line}\n`).join("")
  }\n`

/** A comment line: keeps proxies and the client's idle timer from closing a quiet stream. */
export const sseKeepAlive = ": keep-alive\n\n"

/**
 * Splits a growing text into messages. `push` returns the messages the text completes; a
 * partial one waits for the next push. Comments and unknown fields are skipped.
 */
export const makeSseParser = () => {
  let buffered = ""
  return {
    push: (text: string): ReadonlyArray<SseMessage> => {
      buffered += text.replace(/\r\n?/g, "\n")
      const messages: Array<SseMessage> = []
      let end = buffered.indexOf("\n\n")
      while (end !== -1) {
        const block = buffered.slice(0, end)
        buffered = buffered.slice(end + 2)
        let id: string | undefined
        let event = "message"
        const data: Array<string> = []
        for (const line of block.split("\n")) {
          if (line === "" || line.startsWith(":")) continue
          const colon = line.indexOf(":")
          const field = colon === -1 ? line : line.slice(0, colon)
          const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "")
          if (field === "id") id = value
          else if (field === "event") event = value
          else if (field === "data") data.push(value)
        }
        if (data.length > 0) messages.push({ id, event, data: data.join("\n") })
        end = buffered.indexOf("\n\n")
      }
      return messages
    }
  }
}
