/**
 * The API as a Layer: `makeApiLive` implements every group over the node's services;
 * `makeApiServer` serves it on a host and port; `makeApiHandler` gives a web-standard
 * handler (Request => Response) of the same app, to call without a socket.
 */
import { createServer } from "node:http"
import type { HttpApi } from "@effect/platform"
import { HttpApiBuilder, HttpServer } from "@effect/platform"
import type { ServeError } from "@effect/platform/HttpServerError"
import { NodeHttpServer } from "@effect/platform-node"
import { Duration, Effect, Layer } from "effect"
import type { ClusterView } from "../../actors/node/clusterView.ts"
import type { Templates } from "../../actors/node/templates.ts"
import type { Spaces } from "../../actors/space/spaces.ts"
import type { Store } from "../../storage/store.ts"
import { KnotApi } from "./api.ts"
import { ApiListenFailed } from "./apiServer.errors.ts"
import { AccountsLive } from "./auth/accounts.ts"
import { makeAuthenticationLive } from "./auth/authentication.live.ts"
import type { SignInPolicy } from "./auth/signInLimiter.ts"
import type { SecureRandom } from "./auth/secureRandom.ts"
import { ChangeFeed, ChangeFeedLive } from "./changeFeed.ts"
import { AdminHandlers } from "./handlers/admin.handlers.ts"
import { AuditHandlers } from "./handlers/audit.handlers.ts"
import { ClusterHandlers } from "./handlers/cluster.handlers.ts"
import { DocsHandlers } from "./handlers/docs.handlers.ts"
import { EventsHandlers } from "./handlers/events.handlers.ts"
import { HealthHandlers } from "./handlers/health.handlers.ts"
import { LeavesHandlers } from "./handlers/leaves.handlers.ts"
import { MetricsHandlers } from "./handlers/metrics.handlers.ts"
import { QuotasHandlers } from "./handlers/quotas.handlers.ts"
import { SpacesHandlers } from "./handlers/spaces.handlers.ts"
import { TemplatesHandlers } from "./handlers/templates.handlers.ts"
import { TokensHandlers } from "./handlers/tokens.handlers.ts"
import { UsersHandlers } from "./handlers/users.handlers.ts"
import { VolumesHandlers } from "./handlers/volumes.handlers.ts"
import { StreamsHandlers } from "./handlers/streams.handlers.ts"
import { SshKeysHandlers } from "./handlers/sshKeys.handlers.ts"
import { makeSignInHandlers, SessionsHandlers } from "./auth/sessions.handlers.ts"
import { sessionSweep } from "./auth/sessions.ts"
import { ClusterFeedHandlers } from "./ui/clusterFeed.handlers.ts"
import { uiRoutes } from "./ui/uiRoutes.ts"
import { OpenStreams } from "./streams/openStreams.ts"
import { streamGatewayLayer } from "./streams/streamGateway.ts"
import { StreamTickets } from "./streams/streamTickets.ts"
import type { SpaceStreams } from "../streams/spaceStreams.ts"
import { VolumesLive } from "../../actors/space/volumes.live.ts"
import { RequestErrorsLive } from "./requestErrors.ts"
import { requestIds } from "./requestIds.ts"
import { requestMetrics } from "./requestMetrics.ts"
import { auditWrites } from "./audit/auditLog.ts"
import { type RequestLimits, requestLimitsLive } from "./requestLimits.ts"
import { serverDrain } from "./serverDrain.ts"

/** What the API reads and drives. An `EngineHealth` in the context, if any, adds the engine to /health. */
export type ApiRequirements = Spaces | Templates | ClusterView | Store | SecureRandom

/** The API over the node's services and a change feed (shared with whoever must close it). */
export const makeApiLive = (
  signIn?: SignInPolicy
): Layer.Layer<HttpApi.Api, never, ApiRequirements | ChangeFeed | StreamTickets> => HttpApiBuilder.api(KnotApi).pipe(
  Layer.provide(
    Layer.mergeAll(
      SpacesHandlers,
      VolumesHandlers,
      TemplatesHandlers,
      UsersHandlers,
      TokensHandlers,
      QuotasHandlers,
      LeavesHandlers,
      EventsHandlers,
      ClusterHandlers,
      DocsHandlers,
      MetricsHandlers,
      AuditHandlers,
      AdminHandlers,
      HealthHandlers,
      StreamsHandlers,
      SshKeysHandlers,
      makeSignInHandlers(signIn),
      SessionsHandlers,
      ClusterFeedHandlers,
      uiRoutes,
      // Every node serving sessions sweeps the expired ones it wrote.
      sessionSweep
    )
  ),
  Layer.provide(makeAuthenticationLive(signIn)),
  Layer.provide(AccountsLive),
  Layer.provide(VolumesLive)
)

export interface ApiServerOptions {
  readonly listen: { readonly host: string; readonly port: number }
  /** What one request may cost; defaultRequestLimits when absent. */
  readonly limits?: RequestLimits
  /** How failed sign-ins are slowed; defaultSignInPolicy when absent. */
  readonly signIn?: SignInPolicy
  /** How long closing waits for requests in flight before cutting them; defaultDrainTimeout when absent. */
  readonly drainTimeout?: Duration.DurationInput
}

/** How long a closing node waits for requests in flight (a stream into a space among them). */
export const defaultDrainTimeout = Duration.seconds(30)

/**
 * Serves the API until the layer's scope closes. Closing stops accepting connections, lets
 * the requests in flight finish (serverDrain.ts), and only then releases the services they
 * use. The HttpServer it outputs tells the bound address (port 0 picks a free one).
 */
export const makeApiServer = (
  options: ApiServerOptions
): Layer.Layer<HttpServer.HttpServer, ApiListenFailed, ApiRequirements | SpaceStreams> =>
  Layer.unwrapEffect(Effect.sync(() => {
    const server = createServer()
    const drain = serverDrain(server)
    const listening = NodeHttpServer.layer(() => server, { host: options.listen.host, port: options.listen.port })
    // One instance for both: a ticket the API issues is redeemed by the gateway.
    const tickets = StreamTickets.layer
    const serving = HttpApiBuilder.serve((app) => requestIds(requestMetrics(auditWrites(app)))).pipe(
      Layer.provide(RequestErrorsLive),
      Layer.provide(requestLimitsLive(options.limits)),
      Layer.provide(makeApiLive(options.signIn)),
      Layer.provide(tickets),
      Layer.provideMerge(listening),
      Layer.provideMerge(ChangeFeedLive()),
      Layer.merge(streamGatewayLayer(server, options.signIn).pipe(Layer.provide(Layer.merge(tickets, AccountsLive).pipe(Layer.provide(tickets)))))
    )
    // Built last, so released first: the drain runs while the handlers and services are still
    // up. Watchers of the change feed never finish on their own: their streams end first.
    const draining = Layer.scopedDiscard(Effect.flatMap(Effect.all([ChangeFeed, OpenStreams]), ([feed, streams]) =>
      Effect.addFinalizer(() =>
        Effect.zipRight(
          feed.close,
          drain(
            Duration.decode(options.drainTimeout ?? defaultDrainTimeout),
            streams.endAll("the knot node is stopping, which ends the stream")
          )
        )
      )))
    return draining.pipe(
      Layer.provideMerge(serving),
      Layer.project(HttpServer.HttpServer, HttpServer.HttpServer, (httpServer) => httpServer),
      Layer.mapError((error: ServeError) => {
        const cause = error.cause as { readonly code?: unknown; readonly message?: unknown } | undefined
        return new ApiListenFailed({
          address: `${options.listen.host}:${options.listen.port}`,
          code: typeof cause?.code === "string" ? cause.code : undefined,
          detail: typeof cause?.message === "string" ? cause.message : String(error.cause)
        })
      })
    )
  }))

/** `http://host:port` of the server, for messages and clients. */
export const serverUrl: Effect.Effect<string, never, HttpServer.HttpServer> = Effect.map(
  HttpServer.HttpServer,
  (server) => HttpServer.formatAddress(server.address)
)

export const makeApiHandler = (services: Layer.Layer<ApiRequirements>, signIn?: SignInPolicy) =>
  HttpApiBuilder.toWebHandler(
    Layer.mergeAll(makeApiLive(signIn), RequestErrorsLive, requestLimitsLive(), HttpServer.layerContext).pipe(
      Layer.provide(ChangeFeedLive()),
      Layer.provide(StreamTickets.layer),
      Layer.provide(services)
    )
  )
