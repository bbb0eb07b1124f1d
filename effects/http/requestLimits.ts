/**
 * What one request may cost a node: a body of at most `maxBodyBytes` (a 413 past it, told by
 * its Content-Length before a byte is read, or counted as it streams in), and JSON nested at
 * most `maxJsonDepth` deep (a 400 past it, found before anything parses it). The body is read
 * here, once, under the limit; the router's own read reuses it.
 */
import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import { Effect, Option } from "effect"
import { BadRequest, PayloadTooLarge } from "./api.errors.ts"
import { KnotApi } from "./api.ts"
import { jsonDepthExceeds } from "./jsonDepth.ts"

export interface RequestLimits {
  readonly maxBodyBytes: number
  readonly maxJsonDepth: number
}

export const defaultRequestLimits: RequestLimits = { maxBodyBytes: 1024 * 1024, maxJsonDepth: 64 }

const bodiless = new Set(["GET", "HEAD", "OPTIONS"])

export const requestLimitsLive = (limits: RequestLimits = defaultRequestLimits) => {
  const tooLarge = (what: string) =>
    new PayloadTooLarge({
      code: "body_too_large",
      message: `the request body is ${what}; this node accepts at most ${limits.maxBodyBytes} bytes ([server] max_body_bytes)`
    })
  return HttpApiBuilder.middleware(KnotApi, (app) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (bodiless.has(request.method)) return yield* app
      const declared = Number(request.headers["content-length"])
      if (declared > limits.maxBodyBytes) return yield* tooLarge(`${declared} bytes`)
      const text = yield* request.text.pipe(
        Effect.mapError((error) =>
          error.cause instanceof Error && error.cause.message === "maxBytes exceeded"
            ? tooLarge("larger than that")
            : new BadRequest({ code: "unreadable_body", message: `the request body could not be read: ${error.message}` })
        ),
        HttpIncomingMessage.withMaxBodySize(Option.some(limits.maxBodyBytes))
      )
      if (jsonDepthExceeds(text, limits.maxJsonDepth)) {
        return yield* new BadRequest({
          code: "body_too_deep",
          message: `the request body nests deeper than ${limits.maxJsonDepth} levels; no route takes that`
        })
      }
      return yield* app
    }))
}
