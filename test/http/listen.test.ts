import { createServer } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { makeApiServer } from "../../effects/http/apiServer.ts"
import { nodeServices } from "./apiHarness.ts"

describe("makeApiServer", () => {
  it.live("on an address already in use fails with a message that says what to do", () =>
    Effect.gen(function*() {
      const squatter = createServer()
      const port = yield* Effect.async<number>((resume) => {
        squatter.listen(0, "127.0.0.1", () => {
          const address = squatter.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
        })
      })
      const error = yield* Effect.flip(
        Effect.scoped(Layer.build(makeApiServer({ listen: { host: "127.0.0.1", port } }).pipe(Layer.provide(nodeServices))))
      ).pipe(Effect.ensuring(Effect.sync(() => squatter.close())))
      expect(error._tag).toBe("ApiListenFailed")
      expect(error.message).toBe(
        `cannot listen on 127.0.0.1:${port}: the address is in use; is another knot server running? Pick another with --listen HOST:PORT`
      )
    }))
})
