/**
 * The stream endpoints as the API declares them, for the OpenAPI document and for plain
 * HTTP clients: each is a WebSocket (streamGateway.ts takes the upgrade before the API app),
 * so a GET without an upgrade is answered 426 once the caller has been checked.
 */
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Forbidden, NotFound } from "../api.errors.ts"
import { Authentication } from "../auth/authentication.ts"

export class UpgradeRequired extends Schema.TaggedError<UpgradeRequired>()(
  "UpgradeRequired",
  { code: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 426, description: "A WebSocket endpoint, reached without an upgrade" })
) {}

const SpacePath = Schema.Struct({ owner: Schema.String, name: Schema.String })
const PortPath = Schema.Struct({ owner: Schema.String, name: Schema.String, port: Schema.NumberFromString })

export const StreamTicket = Schema.Struct({
  /** Passed as the WebSocket subprotocol `knot.ticket.<ticket>`, beside `knot.v1`. */
  ticket: Schema.String,
  expiresAt: Schema.Number
})

const frames = "Binary messages to the client: one byte of fd (1 stdout, 2 stderr), then bytes; binary " +
  "messages from the client: input. Text messages are JSON: the client sends {\"type\":\"resize\",\"cols\",\"rows\"} " +
  "and {\"type\":\"eof\"}; the node sends {\"type\":\"exit\",\"code\"} then closes (1000), or {\"type\":\"error\",\"message\"} " +
  "then closes (4000). Authenticate with `Authorization: Bearer`, or the subprotocols `knot.v1` and `knot.ticket.<ticket>`. " +
  "Refusals come before the upgrade: 401, 403 (another user's space), 404, 409 (not running), 429 (too many streams), " +
  "502 (the engine refused), 503 (the owner node cannot be reached)."

const webSocket = <const Name extends string, const Path extends `/${string}`>(name: Name, path: Path, description: string) =>
  HttpApiEndpoint.get(name, path).addError(UpgradeRequired).addError(Forbidden).addError(NotFound)
    .annotate(OpenApi.Description, `${description} ${frames}`)

export class StreamsGroup extends HttpApiGroup.make("streams")
  .add(
    HttpApiEndpoint.post("ticket", "/api/streams/ticket").addSuccess(StreamTicket, { status: 201 })
      .annotate(OpenApi.Description, "A single-use ticket, good for 30 s on this node, to open one stream from a browser")
  )
  .add(
    webSocket(
      "exec",
      "/api/spaces/:owner/:name/exec",
      "WebSocket: runs a command in the space (query: cmd, repeated, default sh; tty=1; cols; rows; term)."
    ).setPath(SpacePath)
  )
  .add(
    webSocket("logs", "/api/spaces/:owner/:name/logs", "WebSocket: the container's output (query: follow=1; tail=N).")
      .setPath(SpacePath)
  )
  .add(
    webSocket(
      "connect",
      "/api/spaces/:owner/:name/ports/:port/connect",
      "WebSocket: a TCP connection to 127.0.0.1:PORT inside the space (the image needs nc, as busybox has)."
    ).setPath(PortPath)
  )
  .middleware(Authentication)
  .annotate(
    OpenApi.Description,
    "Streams into a space from any node, carried to the node that runs it; a template's HTTP port is browsed at " +
      "/spaces/OWNER/NAME/ports/PORT/ with the same sign-in"
  )
{}
