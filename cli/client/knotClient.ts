/**
 * The CLI's client of a node's API, derived from the same HttpApi definition as the server,
 * and the translation of everything that can go wrong on the way into one line a person can
 * act on.
 */
import type { HttpApiError, HttpClientResponse } from "@effect/platform"
import { HttpApiClient, HttpClient, HttpClientError, HttpClientRequest } from "@effect/platform"
import { Data, Duration, Effect, ParseResult, Redacted } from "effect"
import type { ApiError } from "../../effects/http/api.errors.ts"
import { describeParseError } from "../../actors/space/recordCodec.ts"
import { KnotApi } from "../../effects/http/api.ts"
import { knotVersion } from "../../effects/version.ts"
import { CliFailure } from "./cliFailure.ts"
import { noAnswerMessage, refusalMessage, requestTimeoutSeconds } from "./refusal.ts"
import type { Connection } from "./connection.ts"

export const requestTimeout = Duration.seconds(requestTimeoutSeconds)

/** The causes of a transport failure, outermost first (fetch nests the system error). */
const causes = (error: unknown): ReadonlyArray<{ readonly code?: unknown; readonly message?: unknown }> => {
  const chain: Array<{ readonly code?: unknown; readonly message?: unknown; readonly cause?: unknown }> = []
  for (let cause = error; typeof cause === "object" && cause !== null && chain.length < 8;) {
    const link = cause as { readonly code?: unknown; readonly message?: unknown; readonly cause?: unknown }
    chain.push(link)
    cause = link.cause
  }
  return chain
}

const transportReasons: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the host name does not resolve",
  ECONNRESET: "the connection was reset",
  ETIMEDOUT: "the connection timed out",
  EHOSTUNREACH: "no route to the host",
  UND_ERR_CONNECT_TIMEOUT: "the connection timed out"
}

const unreachable = (server: string, error: HttpClientError.RequestError) => {
  const chain = causes(error.cause)
  const code = chain.map((cause) => cause.code).find((code): code is string => typeof code === "string")
  const innermost = chain.at(-1)?.message
  const reason = code !== undefined
    ? transportReasons[code] ?? code
    : typeof innermost === "string" && innermost !== ""
    ? innermost
    : error.description ?? "no answer"
  return new CliFailure({
    message: `cannot reach knot server at ${server} (${reason}); is \`knot server\` running?`
  })
}

/** The node's answer did not decode: a server of another version, or not a knot node. */
export class UnreadableAnswer extends Data.TaggedError("UnreadableAnswer")<{}> {}

/**
 * Everything a request through the client can fail with. A ParseError is the request's own
 * input failing the API's schema before it is sent (an invalid name): the person's mistake,
 * told as the schema words it; an answer that does not decode is an UnreadableAnswer.
 */
export type ClientError =
  | ApiError
  | HttpApiError.HttpApiDecodeError
  | HttpClientError.HttpClientError
  | ParseResult.ParseError
  | UnreadableAnswer
  | CliFailure

/** What the client failed with, as the one line to print. */
export const describeClientError = (server: string) => (error: ClientError): CliFailure => {
  switch (error._tag) {
    case "CliFailure":
      return error
    case "UnreadableAnswer":
      return new CliFailure({
        message: `the knot server at ${server} sent an answer this CLI cannot read; are the CLI and the server the same version?`
      })
    case "ParseError":
      return new CliFailure({ message: describeParseError(error) })
    case "RequestError":
      return error.reason === "Transport"
        ? unreachable(server, error)
        : new CliFailure({ message: `cannot send the request to ${server}: ${error.description ?? error.reason}` })
    case "ResponseError":
      // A refusal read by readRefusals: its description is the line to print.
      if (error.reason === "StatusCode" && error.description !== undefined) return new CliFailure({ message: error.description })
      return new CliFailure({
        message: `the knot server at ${server} answered ${error.response.status} unexpectedly; is that URL a knot node's API?`
      })
    default:
      // The API's own errors: their message is written for the person reading it.
      return new CliFailure({ message: error.message })
  }
}

/** A refusal as the failure to print (refusal.ts says what it says). */
export const refusalOf = (server: string, status: number, body: string, requestId: string | undefined): CliFailure =>
  new CliFailure({ message: refusalMessage(server, status, body, requestId) })

const readRefusals = (server: string) =>
  HttpClient.transformResponse(Effect.flatMap((response: HttpClientResponse.HttpClientResponse) =>
    response.status < 400
      ? Effect.succeed(response)
      : Effect.flatMap(Effect.orElseSucceed(response.text, () => ""), (body) =>
        Effect.fail(
          new HttpClientError.ResponseError({
            request: response.request,
            response,
            reason: "StatusCode",
            description: refusalOf(server, response.status, body, response.headers["x-request-id"]).message
          })
        ))
  ))

export const makeKnotClient = (connection: Connection) =>
  HttpApiClient.make(KnotApi, {
    baseUrl: connection.server,
    transformClient: (client) =>
      client.pipe(
        HttpClient.mapRequest(HttpClientRequest.bearerToken(Redacted.value(connection.token))),
        readRefusals(connection.server)
      ),
    transformResponse: (response) =>
      Effect.mapError(response, (error) => (ParseResult.isParseError(error) ? new UnreadableAnswer() : error))
  })

export type KnotClient = Effect.Effect.Success<ReturnType<typeof makeKnotClient>>

/**
 * An answer that did not decode, told by comparing versions: the server states its own in its
 * OpenAPI document. Only a server of another version is blamed on the version.
 */
export const unreadableAnswer = (server: string, client: HttpClient.HttpClient): Effect.Effect<CliFailure> =>
  client.get(`${server}/api/openapi.json`).pipe(
    Effect.flatMap((response) => response.json),
    Effect.map((document) => (document as { readonly info?: { readonly version?: unknown } }).info?.version),
    Effect.orElseSucceed(() => undefined),
    Effect.map((version) =>
      new CliFailure({
        message: typeof version !== "string"
          ? `the knot server at ${server} sent an answer this CLI (knot ${knotVersion}) cannot read, and does not say its version; is that URL a knot node's API?`
          : version !== knotVersion
          ? `the knot server at ${server} runs knot ${version} and this CLI is knot ${knotVersion}: use a CLI of the server's version`
          : `the knot server at ${server} sent an answer this CLI cannot read, though both are knot ${knotVersion}: a bug; run again with KNOT_DEBUG=1 and report it`
      })
    ),
    Effect.timeoutTo({ duration: requestTimeout, onTimeout: () => new CliFailure({ message: `the knot server at ${server} sent an answer this CLI cannot read` }), onSuccess: (failure) => failure })
  )

/** Runs one request: a bounded wait, and any failure as a CliFailure. */
export const request = <A, E extends ClientError, R>(
  connection: Connection,
  effect: Effect.Effect<A, E, R>,
  client?: HttpClient.HttpClient
): Effect.Effect<A, CliFailure, R> =>
  effect.pipe(
    Effect.catchIf(
      (error): error is E & UnreadableAnswer => error._tag === "UnreadableAnswer" && client !== undefined,
      () => Effect.flip(unreadableAnswer(connection.server, client!))
    ),
    Effect.timeoutFail({
      duration: requestTimeout,
      onTimeout: () => new CliFailure({ message: noAnswerMessage(connection.server) })
    }),
    Effect.mapError(describeClientError(connection.server))
  )
