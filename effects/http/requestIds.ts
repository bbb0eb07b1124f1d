/**
 * Every answer names its request (`x-request-id`), and the node's log lines written while
 * answering it carry the same id, so a person who reads "request id …" in a failure can find
 * what happened in the node's log. An answer of 500 and above is logged here with its id, since
 * the person sees only its message.
 */
import { randomBytes } from "node:crypto"
import type { HttpServerRequest } from "@effect/platform"
import { HttpApp, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"

export const REQUEST_ID_HEADER = "x-request-id"

/** A request's id: 16 hex digits, unguessable and unique enough to find one line in a log. */
export const newRequestId = (): string => randomBytes(8).toString("hex")

export const requestIds = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const id = newRequestId()
    // The server writes the answer before a middleware sees it return: the header and the log
    // line are added by a pre-response handler, which runs for failures turned into answers too.
    yield* HttpApp.appendPreResponseHandler((request, response) =>
      Effect.as(
        response.status >= 500
          ? Effect.logError(`${request.method} ${request.url} answered ${response.status}`).pipe(Effect.annotateLogs("request", id))
          : Effect.void,
        HttpServerResponse.setHeader(response, REQUEST_ID_HEADER, id)
      ))
    return yield* Effect.annotateLogs(app, "request", id)
  })
