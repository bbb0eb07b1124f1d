import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, Layer, Scope } from "effect"
import { Spaces } from "../../actors/space/spaces.ts"
import { makeApiServer, serverUrl } from "../../effects/http/apiServer.ts"
import { bootstrapAdmin } from "../../effects/http/auth/bootstrapAdmin.ts"
import { fetchJson, nodeServices } from "./apiHarness.ts"

/** The node's Spaces, with `list` held until `release` completes. */
const heldList = (listing: Deferred.Deferred<void>, release: Deferred.Deferred<void>) =>
  Layer.effect(
    Spaces,
    Effect.map(Spaces, (spaces) => ({
      ...spaces,
      list: (filter?: { readonly owner?: string }) =>
        Deferred.succeed(listing, undefined).pipe(Effect.zipRight(Deferred.await(release)), Effect.zipRight(spaces.list(filter)))
    }))
  )

describe("closing the API server", () => {
  it.live("finishes the request in flight, then refuses new connections", () =>
    Effect.gen(function*() {
      const listing = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        makeApiServer({ listen: { host: "127.0.0.1", port: 0 } }).pipe(
          Layer.provide(heldList(listing, release)),
          Layer.provideMerge(nodeServices)
        ),
        scope
      )
      const url = yield* Effect.provide(serverUrl, context)
      const outcome = yield* Effect.provide(bootstrapAdmin(), context)
      const token = outcome._tag === "Created" ? outcome.token.secret : ""

      const inFlight = yield* Effect.fork(fetchJson(`${url}/api/spaces`, "GET", { token }))
      yield* Deferred.await(listing)
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* Effect.sleep(Duration.millis(50))
      const refused = yield* Effect.promise(() => fetch(`${url}/health`).then(() => "answered", () => "refused"))
      yield* Deferred.succeed(release, undefined)

      expect((yield* Fiber.join(inFlight)).status).toBe(200)
      yield* Fiber.join(closing)
      expect(refused).toBe("refused")
    }))
})
