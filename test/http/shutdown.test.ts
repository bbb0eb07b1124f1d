import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Duration, Effect, Exit, Fiber, Layer, Scope } from "effect"
import WebSocket from "ws"
import { Spaces } from "../../actors/space/spaces.ts"
import { makeApiServer, serverUrl } from "../../effects/http/apiServer.ts"
import { ContainerStreams } from "../../effects/container/containerStreams.ts"
import { bootstrapAdmin } from "../../effects/http/auth/bootstrapAdmin.ts"
import { CLOSE_GOING_AWAY } from "../../effects/http/streams/webSocketStream.ts"
import { Store } from "../../storage/store.ts"
import { endlessContainerStreams, fetchJson, nodeServices, nodeServicesOf } from "./apiHarness.ts"

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

  /** An API whose drain ends at 300 ms, with a running space `admin/dev` on `engine`, and the admin's token. */
  const nodeWithSpace = (engine: Layer.Layer<ContainerStreams>) =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        makeApiServer({ listen: { host: "127.0.0.1", port: 0 }, drainTimeout: "300 millis" }).pipe(
          Layer.provideMerge(nodeServicesOf({ containerStreams: engine }))
        ),
        scope
      )
      const url = yield* Effect.provide(serverUrl, context)
      const outcome = yield* Effect.provide(bootstrapAdmin(), context)
      const token = outcome._tag === "Created" ? outcome.token.secret : ""
      yield* fetchJson(`${url}/api/templates`, "POST", { token, json: { name: "shell", image: "busybox:latest" } })
      const created = yield* fetchJson(`${url}/api/spaces`, "POST", { token, json: { name: "dev", template: "shell" } })
      const id = (created.body as { readonly id: string }).id
      yield* Effect.orDie(Context.get(context, Store).put("space-status", id, { observed: "running", containerId: "c-dev", handled: 1 }))
      return { close: Scope.close(scope, Exit.void), url, token }
    })

  /** A terminal on admin/dev: the text messages it is sent, and its close code. */
  const terminal = (url: string, token: string) => {
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}/api/spaces/admin/dev/exec?tty=1`, ["knot.v1"], {
      headers: { authorization: `Bearer ${token}` }
    })
    const messages: Array<string> = []
    socket.on("message", (data, binary) => void (binary ? undefined : messages.push(data.toString())))
    socket.on("error", () => undefined)
    return {
      messages,
      opened: Effect.async<void>((resume) => void socket.once("open", () => resume(Effect.void))),
      closed: Effect.async<number>((resume) => void socket.once("close", (code) => resume(Effect.succeed(code))))
    }
  }

  it.live("cuts a stream into a space still open at the drain's bound, telling its client why", () =>
    Effect.gen(function*() {
      const node = yield* nodeWithSpace(endlessContainerStreams)
      const stream = terminal(node.url, node.token)
      yield* stream.opened
      // Without the cut the stream, which never ends by itself, would hold the close for good.
      yield* node.close
      expect(yield* stream.closed).toBe(CLOSE_GOING_AWAY)
      expect(stream.messages.map((text) => JSON.parse(text))).toEqual([
        { type: "error", message: "the knot node is stopping, which ends the stream" }
      ])
    }), 20_000)

  it.live("cuts a stream still opening at the drain's bound", () =>
    Effect.gen(function*() {
      const opening = yield* Deferred.make<void>()
      const neverOpens = Layer.succeed(ContainerStreams, { open: () => Effect.zipRight(Deferred.succeed(opening, undefined), Effect.never) })
      const node = yield* nodeWithSpace(neverOpens)
      const stream = terminal(node.url, node.token)
      yield* Deferred.await(opening)
      // The upgrade waits on the engine: the connection is no longer the HTTP server's, nor yet a stream.
      yield* node.close
      yield* stream.closed
    }), 20_000)
})
