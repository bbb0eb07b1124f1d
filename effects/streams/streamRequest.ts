/**
 * What a client asks of a space's container through a stream. It crosses the wire (the entry
 * node sends it to the owner in a stream's open message), so it is a Schema.
 */
import { Schema } from "effect"

const Dimension = Schema.Int.pipe(Schema.between(1, 10_000))

/** A command run in the container through the engine's exec: nothing needs to be in the image but the command. */
export const ExecRequest = Schema.TaggedStruct("Exec", {
  command: Schema.NonEmptyArray(Schema.String),
  /** A terminal: stdout and stderr arrive merged on fd 1, and `resize` applies. */
  tty: Schema.Boolean,
  env: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), { exact: true }),
  /** The terminal's first size, so a shell never draws at the engine's default 80×24. */
  cols: Schema.optionalWith(Dimension, { exact: true }),
  rows: Schema.optionalWith(Dimension, { exact: true })
})
export type ExecRequest = typeof ExecRequest.Type

/** The container's own output (its main process), as the engine keeps it. */
export const LogsRequest = Schema.TaggedStruct("Logs", {
  follow: Schema.Boolean,
  /** The last N lines only; absent: all of them. */
  tail: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 1_000_000)), { exact: true })
})
export type LogsRequest = typeof LogsRequest.Type

/** A TCP connection to 127.0.0.1:port inside the container's network namespace. */
export const TcpRequest = Schema.TaggedStruct("Tcp", {
  port: Schema.Int.pipe(Schema.between(1, 65_535))
})
export type TcpRequest = typeof TcpRequest.Type

/**
 * A socket in the container through which its processes reach the SSH agent of the person
 * signed in (`ssh -A`). The output is lines: first `listener ID PATH` (PATH inside the
 * container, for SSH_AUTH_SOCK), then `connection N` for each connection a process makes, which
 * waits until the entry node claims it with an AgentConnection. Closing the stream removes the socket.
 */
export const AgentListenRequest = Schema.TaggedStruct("AgentListen", {})
export type AgentListenRequest = typeof AgentListenRequest.Type

/** A connection made to an agent socket, claimed by its listener's id and its number, to carry to the agent. */
export const AgentConnectionRequest = Schema.TaggedStruct("AgentConnection", {
  listener: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{32}$/)),
  connection: Schema.Int.pipe(Schema.between(1, Number.MAX_SAFE_INTEGER))
})
export type AgentConnectionRequest = typeof AgentConnectionRequest.Type

export const StreamRequest = Schema.Union(ExecRequest, LogsRequest, TcpRequest, AgentListenRequest, AgentConnectionRequest)
export type StreamRequest = typeof StreamRequest.Type
