/**
 * The engine's `/events` stream (Docker and Podman serve the same one): newline-delimited JSON
 * objects, one per event, for as long as the connection lasts. It is a stream, not a request:
 * no timeout applies to it, and its end (engine restart, dropped connection) ends the stream.
 */
import type Docker from "dockerode"
import { Effect, Option, Schema, Stream } from "effect"
import type { EngineEvent } from "../container/containerDriver.ts"
import { EngineUnreachable } from "../container/containerDriver.errors.ts"

const DockerEvent = Schema.Struct({
  Type: Schema.String,
  Action: Schema.String,
  Actor: Schema.Struct({
    ID: Schema.String,
    /** The container's labels, and a few of the engine's own (name, image, exitCode). */
    Attributes: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), { default: () => ({}) })
  })
})

const decodeLine = Schema.decodeUnknownOption(Schema.parseJson(DockerEvent))

const toEvent = (line: string): EngineEvent | undefined =>
  Option.match(decodeLine(line), {
    onNone: () => undefined,
    onSome: (event): EngineEvent | undefined =>
      event.Type === "container"
        ? { _tag: "Container", id: event.Actor.ID, action: event.Action, labels: event.Actor.Attributes }
        : undefined
  })

const reasonOf = (cause: unknown) => cause instanceof Error ? cause.message : String(cause)

export const dockerEvents = (
  docker: Docker,
  socket: string,
  filters: NonNullable<Docker.GetEventsOptions["filters"]>
): Stream.Stream<EngineEvent, EngineUnreachable> =>
  Stream.asyncScoped<EngineEvent, EngineUnreachable>((emit) =>
    Effect.gen(function*() {
      const events = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () => docker.getEvents({ filters }),
          catch: (cause) => new EngineUnreachable({ socket, reason: `cannot follow its events: ${reasonOf(cause)}` })
        }),
        (stream) => Effect.sync(() => (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.())
      )
      void emit.single({ _tag: "Following" })
      let pending = ""
      events.on("data", (chunk: Buffer | string) => {
        pending += chunk.toString()
        for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
          const event = toEvent(pending.slice(0, end))
          pending = pending.slice(end + 1)
          if (event !== undefined) void emit.single(event)
        }
      })
      events.on("end", () => void emit.end())
      events.on("error", (cause: unknown) =>
        void emit.fail(new EngineUnreachable({ socket, reason: `its event stream failed: ${reasonOf(cause)}` })))
    }), "unbounded")
