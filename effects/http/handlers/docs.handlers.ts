import { HttpApiBuilder, HttpServerResponse, OpenApi } from "@effect/platform"
import { Effect } from "effect"
import { KnotApi } from "../api.ts"

export const DocsHandlers = HttpApiBuilder.group(KnotApi, "docs", (handlers) =>
  Effect.sync(() => {
    const document = HttpServerResponse.unsafeJson(OpenApi.fromApi(KnotApi))
    return handlers.handle("openapi", () => Effect.succeed(document))
  }))
