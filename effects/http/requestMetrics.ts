/**
 * Every API request counted by method, route and status, and timed. The route is the path's
 * first two segments (`/api/spaces`), so that the label stays bounded whatever ids the path
 * carries; what follows them shows as `/…`.
 */
import type { HttpApp } from "@effect/platform"
import { HttpServerRequest } from "@effect/platform"
import { Clock, Effect, Metric, MetricBoundaries, MetricLabel } from "effect"

const requests = Metric.counter("knot_http_requests_total", { description: "API requests answered", incremental: true })

const duration = Metric.histogram(
  "knot_http_request_duration_seconds",
  MetricBoundaries.exponential({ start: 0.001, factor: 2, count: 15 }),
  "time from a request's arrival to its answer"
)

export const routeOf = (url: string): string => {
  const segments = (url.split("?")[0] ?? "").split("/").filter((segment) => segment !== "")
  const head = `/${segments.slice(0, 2).join("/")}`
  return segments.length > 2 ? `${head}/…` : head
}

export const requestMetrics = <R>(app: HttpApp.Default<never, R>): HttpApp.Default<never, R | HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = yield* Clock.currentTimeMillis
    const response = yield* app
    const elapsed = (yield* Clock.currentTimeMillis) - started
    const route = routeOf(request.url)
    const counted = Metric.taggedWithLabels(requests, [
      MetricLabel.make("method", request.method),
      MetricLabel.make("route", route),
      MetricLabel.make("status", String(response.status))
    ])
    yield* Metric.increment(counted)
    yield* Metric.update(duration.pipe(Metric.tagged("method", request.method), Metric.tagged("route", route)), elapsed / 1000)
    return response
  })
