/**
 * Takes the node HTTP server's stream traffic before the API app sees it: WebSocket upgrades
 * to the stream endpoints (streamPaths.ts) and every request to a proxied port. Each is
 * authenticated (streamAuth.ts), refused with 403 before any lookup when the caller is neither
 * the owner nor an admin (so nobody learns another user's space names), then opened through
 * SpaceStreams, which checks again on the node that runs the space. A plain GET of a stream
 * endpoint is left to the API, which answers it (426: it needs an upgrade).
 *
 * A stream opened by a browser's session (its cookie, or a ticket it asked for) ends when the
 * session does, so a revoked browser keeps no terminal open. A space's web page is served on
 * this node's origin, where its scripts could use the viewer's session: a browser therefore
 * opens only its own user's ports, admins included (an admin's token still reaches any space).
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import type { Duplex } from "node:stream"
import { Effect, Exit, FiberSet, Layer, Scope } from "effect"
import { type WebSocket, WebSocketServer } from "ws"
import { Spaces } from "../../../actors/space/spaces.ts"
import { SpaceStreams } from "../../streams/spaceStreams.ts"
import type { StreamRequest } from "../../streams/streamRequest.ts"
import type { AuthenticatedUser } from "../auth/currentUser.ts"
import { Sessions } from "../auth/sessions.ts"
import type { SignInPolicy } from "../auth/signInLimiter.ts"
import { proxyOver, requestHead } from "./portProxy.ts"
import { type HttpRefusal, makeStreamAuth, STREAM_PROTOCOL, type StreamCaller } from "./streamAuth.ts"
import { parseStreamPath, type SpaceAddress, type StreamPath } from "./streamPaths.ts"
import { rawResponse, refusalOf } from "./streamRefusals.ts"
import { newRequestId } from "../requestIds.ts"
import { OpenStreams } from "./openStreams.ts"
import { CLOSE_GOING_AWAY, CLOSE_SESSION_ENDED, pumpWebSocket } from "./webSocketStream.ts"

/** Largest WebSocket message taken from a client: input arrives in pieces, a resize is tiny. */
const MAX_CLIENT_MESSAGE = 1024 * 1024

export const streamGatewayLayer = (server: Server, signIn?: SignInPolicy) =>
  Layer.scoped(OpenStreams, Effect.gen(function*() {
    const authenticate = yield* makeStreamAuth(signIn)
    const spaces = yield* Spaces
    const streams = yield* SpaceStreams
    const sessions = yield* Sessions
    const running = yield* FiberSet.make()
    const runFork = yield* FiberSet.runtime(running)<never>()
    const sockets = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_CLIENT_MESSAGE,
      handleProtocols: (offered) => (offered.has(STREAM_PROTOCOL) ? STREAM_PROTOCOL : false)
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => sockets.close()))
    /** Each open stream's end, given why it ends. */
    const open = new Set<(reason: string) => void>()
    const endable = <A, E>(end: (reason: string) => void, work: Effect.Effect<A, E>) =>
      Effect.zipRight(Effect.sync(() => open.add(end)), Effect.ensuring(work, Effect.sync(() => open.delete(end))))

    /** The caller and the space, or why not; a space of another user is a 403 before any lookup. */
    const admit = (request: IncomingMessage, space: SpaceAddress, upgrade: boolean, port: boolean): Effect.Effect<
      StreamCaller & { readonly id: string },
      HttpRefusal
    > =>
      Effect.gen(function*() {
        const caller = yield* authenticate(request, upgrade)
        const { user } = caller
        const browsing = port && caller.session !== undefined
        if ((user.role !== "admin" || browsing) && user.id !== space.owner) {
          return yield* Effect.fail<HttpRefusal>({
            status: 403,
            code: "not_owner",
            message: browsing && user.role === "admin"
              ? `a browser opens only its own spaces' ports: space ${space.owner}/${space.name} belongs to another user (use \`knot space forward\`)`
              : `space ${space.owner}/${space.name} belongs to another user`
          })
        }
        const view = yield* spaces.find(space.owner, space.name).pipe(
          Effect.mapError((error): HttpRefusal => ({
            status: error._tag === "SpaceNotFound" ? 404 : 500,
            code: error._tag === "SpaceNotFound" ? "space_not_found" : "store_failed",
            message: error.message
          }))
        )
        return { ...caller, id: view.id }
      })

    /** Runs `work` until it ends, or until the browser session the caller came by does (then `ended`). */
    const whileSignedIn = <E>(caller: StreamCaller, work: Effect.Effect<void, E>, ended: Effect.Effect<void>) =>
      caller.session === undefined
        ? work
        : Effect.raceFirst(work, Effect.zipRight(sessions.untilEnded(caller.session), ended))

    const openIn = (scope: Scope.Scope, user: AuthenticatedUser, id: string, request: StreamRequest) =>
      streams.open(user, id, request).pipe(Scope.extend(scope), Effect.mapError(refusalOf))

    /**
     * Runs `work` with a scope of its own that closes (ending the stream) when it ends, under a
     * request id, as the API's requests run (requestIds.ts): a refusal names it, the log lines
     * carry it, and a refusal of 500 and above is logged with it.
     */
    const scoped = (request: IncomingMessage, socket: Duplex, work: (scope: Scope.Scope) => Effect.Effect<void, HttpRefusal>) => {
      const id = newRequestId()
      const refuse = (refusal: HttpRefusal) =>
        Effect.zipRight(
          refusal.status >= 500
            ? Effect.logError(`${request.method} ${request.url} answered ${refusal.status}: ${refusal.message}`)
            : Effect.void,
          Effect.sync(() => socket.end(rawResponse(refusal, id)))
        )
      runFork(
        Effect.acquireUseRelease(
          Scope.make(),
          (scope) => work(scope).pipe(Effect.catchAll(refuse)),
          (scope) => Scope.close(scope, Exit.void)
        ).pipe(Effect.annotateLogs("request", id))
      )
    }

    const refuseBadPath = (socket: Duplex, reason: string) =>
      socket.end(rawResponse({ status: 400, code: "bad_stream_request", message: reason }, newRequestId()))

    /** A template port: the request (or the upgrade's first bytes) in, the raw response out. */
    const proxyPort = (
      scope: Scope.Scope,
      request: IncomingMessage,
      socket: Duplex,
      path: Extract<StreamPath, { readonly _tag: "Port" }>,
      upgraded: Buffer | undefined
    ) =>
      Effect.gen(function*() {
        const caller = yield* admit(request, path.space, upgraded !== undefined, true)
        const stream = yield* openIn(scope, caller.user, caller.id, { _tag: "Tcp", port: path.port })
        const prefix = `/spaces/${path.space.owner}/${path.space.name}/ports/${path.port}`
        const head = requestHead(request, path.rest, prefix, upgraded !== undefined)
        const cut = () => void socket.destroy()
        yield* endable(cut, whileSignedIn(caller, proxyOver(stream, request, socket, head, upgraded), Effect.sync(cut)))
      })

    const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => {
      const path = parseStreamPath(url)
      if (path === undefined) return false
      if (typeof path === "string") {
        refuseBadPath(socket, path)
        return true
      }
      scoped(request, socket, (scope) =>
        path._tag === "Port"
          ? proxyPort(scope, request, socket, path, head)
          : Effect.gen(function*() {
            const caller = yield* admit(request, path.space, true, false)
            const stream = yield* openIn(scope, caller.user, caller.id, path.request)
            const ws = yield* Effect.async<WebSocket>((resume) =>
              sockets.handleUpgrade(request, socket, head, (ws) => resume(Effect.succeed(ws))))
            const goingAway = (reason: string) => {
              ws.send(JSON.stringify({ type: "error", message: reason }))
              ws.close(CLOSE_GOING_AWAY, "the node is stopping")
            }
            yield* endable(goingAway, whileSignedIn(
              caller,
              pumpWebSocket(ws, stream),
              Effect.sync(() => {
                ws.send(JSON.stringify({ type: "error", message: "your session has ended; sign in again" }))
                ws.close(CLOSE_SESSION_ENDED, "session ended")
              })
            ))
          }))
      return true
    }

    const proxyRequest = (request: IncomingMessage, response: ServerResponse, url: URL) => {
      const path = parseStreamPath(url)
      if (path === undefined || (typeof path !== "string" && path._tag !== "Port")) return false
      const socket = response.socket ?? request.socket
      if (typeof path === "string") refuseBadPath(socket, path)
      else scoped(request, socket, (scope) => proxyPort(scope, request, socket, path, undefined))
      return true
    }

    const urlOf = (request: IncomingMessage) => new URL(request.url ?? "/", "http://knot.invalid")
    const emit = server.emit
    server.emit = function(this: Server, event: string | symbol, ...args: Array<any>): boolean {
      if (event === "upgrade" && upgrade(args[0], args[1], args[2], urlOf(args[0]))) return true
      if (event === "request" && proxyRequest(args[0], args[1], urlOf(args[0]))) return true
      return emit.apply(this, [event, ...args] as Parameters<typeof emit>)
    } as typeof server.emit
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        server.emit = emit
      })
    )
    return OpenStreams.of({
      endAll: (reason) =>
        Effect.sync(() => {
          for (const end of [...open]) end(reason)
        })
    })
  }))
