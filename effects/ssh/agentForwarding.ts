/**
 * `ssh -A` into a space: a socket in the space (made by its owner node, see agentSockets.ts)
 * whose every connection is carried back through the gateway to the agent of the person's own
 * SSH client. The session's command finds it in SSH_AUTH_SOCK; it lasts as long as the scope.
 */
import { Deferred, Effect, Either, type Scope, Stream } from "effect"
import type { ServerChannel } from "ssh2"
import type { SpaceStream } from "../streams/spaceStreams.ts"
import { StreamAborted, type StreamOpenError } from "../streams/spaceStreams.errors.ts"
import type { StreamRequest } from "../streams/streamRequest.ts"
import { pumpChannel } from "./channelPump.ts"

export interface AgentForwardingContext {
  readonly open: (request: StreamRequest) => Effect.Effect<SpaceStream, StreamOpenError, Scope.Scope>
  readonly openAgentChannel: () => Effect.Effect<ServerChannel, Error>
}

/** How long the owner may take to make the socket before the session goes on without it. */
const SOCKET_WITHIN = "10 seconds"

const listenerLine = /^listener ([0-9a-f]{32}) (\S+)$/
const connectionLine = /^connection ([1-9][0-9]*)$/

/** One connection of a process in the space to the agent, to the client's agent and back. */
const carry = (context: AgentForwardingContext, listener: string, connection: number) =>
  Effect.scoped(Effect.gen(function*() {
    const stream = yield* context.open({ _tag: "AgentConnection", listener, connection })
    const channel = yield* context.openAgentChannel()
    yield* pumpChannel(channel, stream, { forwardEof: true })
    channel.end()
  })).pipe(
    Effect.catchAll((error) => Effect.logInfo(`ssh: an agent connection from the space was not carried: ${error.message}`))
  )

/** Makes the space's agent socket and answers its path there; connections are carried until the scope closes. */
export const forwardAgent = (
  context: AgentForwardingContext
): Effect.Effect<string, StreamOpenError | StreamAborted, Scope.Scope> =>
  Effect.gen(function*() {
    const listening = yield* context.open({ _tag: "AgentListen" })
    const path = yield* Deferred.make<string, StreamAborted>()
    const lines = listening.output.pipe(
      Stream.map((chunk) => chunk.bytes),
      Stream.decodeText(),
      Stream.splitLines
    )
    let listener: string | undefined
    yield* Stream.runForEach(lines, (line) => {
      const announced = listenerLine.exec(line)
      if (listener === undefined && announced !== null) {
        listener = announced[1]!
        return Deferred.succeed(path, announced[2]!)
      }
      const made = connectionLine.exec(line)
      if (listener !== undefined && made !== null) return Effect.forkScoped(carry(context, listener, Number(made[1])))
      return Effect.logWarning(`ssh: the owner node's agent socket said what this node does not read: ${line.slice(0, 80)}`)
    }).pipe(
      Effect.either,
      Effect.flatMap((ended) =>
        Deferred.fail(path, new StreamAborted({
          reason: Either.isLeft(ended) ? ended.left.message : "the owner node closed the agent socket"
        }))),
      Effect.forkScoped
    )
    return yield* Deferred.await(path).pipe(
      Effect.timeoutFail({
        duration: SOCKET_WITHIN,
        onTimeout: () => new StreamAborted({ reason: `the owner node made no agent socket within ${SOCKET_WITHIN}` })
      })
    )
  })
