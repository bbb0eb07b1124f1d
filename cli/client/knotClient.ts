/**
 * The CLI's client of a node's API, derived from the same HttpApi definition as the server,
 * and the translation of everything that can go wrong on the way into one line a person can
 * act on.
 */
import type { HttpApiError, HttpClientError } from "@effect/platform"
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Data, Duration, Effect, ParseResult, Redacted } from "effect"
import type { ApiError } from "../../effects/http/api.errors.ts"
import { describeParseError } from "../../actors/space/recordCodec.ts"
import { KnotApi } from "../../effects/http/api.ts"
import { CliFailure } from "./cliFailure.ts"
import type { Connection } from "./connection.ts"

/** A node answers every request in milliseconds; this long means it is stuck or unreachable. */
export const requestTimeout = Duration.seconds(30)

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
      return new CliFailure({
        message: `the knot server at ${server} answered ${error.response.status} unexpectedly; is that URL a knot node's API?`
      })
    default:
      // The API's own errors: their message is written for the person reading it.
      return new CliFailure({ message: error.message })
  }
}

export const makeKnotClient = (connection: Connection) =>
  HttpApiClient.make(KnotApi, {
    baseUrl: connection.server,
    transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(Redacted.value(connection.token))),
    transformResponse: (response) =>
      Effect.mapError(response, (error) => (ParseResult.isParseError(error) ? new UnreadableAnswer() : error))
  })

export type KnotClient = Effect.Effect.Success<ReturnType<typeof makeKnotClient>>

/** Runs one request: a bounded wait, and any failure as a CliFailure. */
export const request = <A, E extends ClientError, R>(connection: Connection, effect: Effect.Effect<A, E, R>): Effect.Effect<A, CliFailure, R> =>
  effect.pipe(
    Effect.timeoutFail({
      duration: requestTimeout,
      onTimeout: () =>
        new CliFailure({
          message: `the knot server at ${connection.server} did not answer within ${Duration.format(requestTimeout)}`
        })
    }),
    Effect.mapError(describeClientError(connection.server))
  )
