/**
 * Which stream a URL asks for. The API's stream endpoints sit under the space's address:
 * `/api/spaces/OWNER/NAME/exec?cmd=sh&cmd=-l&tty=1&cols=80&rows=24&term=xterm-256color`,
 * `/api/spaces/OWNER/NAME/logs?follow=1&tail=100`, `/api/spaces/OWNER/NAME/ports/PORT/connect`;
 * a template's HTTP port is browsed at `/spaces/OWNER/NAME/ports/PORT/...`.
 */
import { Either, ParseResult, Schema } from "effect"
import { StreamRequest } from "../../streams/streamRequest.ts"

export interface SpaceAddress {
  readonly owner: string
  readonly name: string
}

export type StreamPath =
  | { readonly _tag: "Stream"; readonly space: SpaceAddress; readonly request: StreamRequest }
  | { readonly _tag: "Port"; readonly space: SpaceAddress; readonly port: number; readonly rest: string }

const streamRoute = /^\/api\/spaces\/([^/]+)\/([^/]+)\/(exec|logs|ports\/(\d{1,5})\/connect)$/
const portRoute = /^\/spaces\/([^/]+)\/([^/]+)\/ports\/(\d{1,5})(\/.*)?$/

const flag = (value: string | null) => value === "1" || value === "true"

const decodeRequest = Schema.decodeUnknownEither(StreamRequest)

/** `undefined`: not a stream path; a string: a stream path whose parameters are wrong (the reason). */
export const parseStreamPath = (url: URL): StreamPath | string | undefined => {
  const port = portRoute.exec(url.pathname)
  if (port !== null) {
    const number = Number(port[3])
    if (number < 1 || number > 65535) return `port ${port[3]} is not between 1 and 65535`
    return {
      _tag: "Port",
      space: { owner: decodeURIComponent(port[1]!), name: decodeURIComponent(port[2]!) },
      port: number,
      rest: `${port[4] ?? "/"}${url.search}`
    }
  }
  const stream = streamRoute.exec(url.pathname)
  if (stream === null) return undefined
  const space = { owner: decodeURIComponent(stream[1]!), name: decodeURIComponent(stream[2]!) }
  const query = url.searchParams
  const numberOf = (key: string) => (query.has(key) ? Number(query.get(key)) : undefined)
  const term = query.get("term")
  const raw = stream[3] === "exec"
    ? {
      _tag: "Exec",
      command: query.getAll("cmd").length > 0 ? query.getAll("cmd") : ["sh"],
      tty: flag(query.get("tty")),
      ...(term === null ? {} : { env: { TERM: term } }),
      ...(query.has("cols") ? { cols: numberOf("cols") } : {}),
      ...(query.has("rows") ? { rows: numberOf("rows") } : {})
    }
    : stream[3] === "logs"
    ? { _tag: "Logs", follow: flag(query.get("follow")), ...(query.has("tail") ? { tail: numberOf("tail") } : {}) }
    : { _tag: "Tcp", port: Number(stream[4]) }
  return Either.match(decodeRequest(raw), {
    onLeft: (error) => ParseResult.TreeFormatter.formatErrorSync(error),
    onRight: (request): StreamPath => ({ _tag: "Stream", space, request })
  })
}
