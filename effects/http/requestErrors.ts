/**
 * What the router and the request decoding fail with, turned into API errors: a body that is
 * not JSON or does not match its schema is a 400 with a message naming the field, a route
 * that does not exist a JSON 404, and an unexpected defect a 500 that says to read the log
 * (the cause is logged here, never sent). Nothing reaches the client as a bare 500.
 */
import type { HttpApp } from "@effect/platform"
import { HttpApiBuilder, HttpApiError, HttpServerError, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Effect, Option, Schema } from "effect"
import { BadRequest, Internal, NotFound } from "./api.errors.ts"
import { KnotApi } from "./api.ts"

const describeIssue = (issue: HttpApiError.HttpApiDecodeError["issues"][number]): string => {
  const path = issue.path.map(String).join(".")
  if (issue._tag === "Missing") return `${path} is missing`
  // The body as a whole has the wrong type (null, a list, a string): the schema dump helps nobody.
  if (path === "" && issue._tag === "Type") return "the request body must be a JSON object of this route's fields (see /api/openapi.json)"
  return path === "" ? issue.message : `${path}: ${issue.message}`
}

const describeIssues = (error: HttpApiError.HttpApiDecodeError): string => error.issues.map(describeIssue).join("; ")

const unreadableBody = (error: HttpServerError.RequestError): BadRequest =>
  error.cause instanceof SyntaxError
    ? new BadRequest({ code: "malformed_json", message: `the request body is not valid JSON: ${error.cause.message}` })
    : new BadRequest({ code: "unreadable_body", message: `the request body could not be read: ${error.message}` })

const encodeNotFound = Schema.encodeSync(NotFound)

const routeNotFound = Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
  HttpServerResponse.unsafeJson(
    encodeNotFound(new NotFound({ code: "route_not_found", message: `no route ${request.method} ${request.url}` })),
    { status: 404 }
  ))

const recover = (cause: Cause.Cause<unknown>): HttpApp.Default<BadRequest | Internal> => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (error instanceof HttpApiError.HttpApiDecodeError) {
      return Effect.fail(new BadRequest({ code: "invalid_request", message: describeIssues(error) }))
    }
    if (HttpServerError.isServerError(error) && error._tag === "RouteNotFound") return routeNotFound
    // Any other failure is already an API error (401, 404, ...): the builder encodes it next.
    // The middleware type admits only the API-wide errors, hence the cast.
    return Effect.failCause(cause as Cause.Cause<never>)
  }
  const defect = Cause.dieOption(cause)
  if (Option.isNone(defect)) return Effect.failCause(cause as Cause.Cause<never>)
  if (HttpServerError.isServerError(defect.value) && defect.value._tag === "RequestError") {
    return Effect.fail(unreadableBody(defect.value))
  }
  return Effect.zipRight(
    Effect.logError("request failed unexpectedly", cause),
    Effect.fail(new Internal({ code: "internal", message: "the node failed unexpectedly; its log has the details" }))
  )
}

export const RequestErrorsLive = HttpApiBuilder.middleware(KnotApi, (app) => Effect.catchAllCause(app, recover))
