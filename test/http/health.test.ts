import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { makeApiHandler } from "../../effects/http/apiServer.ts"
import { EngineHealth } from "../../effects/http/engineHealth.ts"
import { MemoryDriver, MemoryEngine } from "../../effects/container/memoryDriver.ts"
import { nodeServices, testNodeId } from "./apiHarness.ts"

describe("/health with the container engine", () => {
  const engine = MemoryDriver.layer()
  const node = Layer.mergeAll(nodeServices, EngineHealth.fromContainerDriver(testNodeId)).pipe(Layer.provideMerge(engine))

  /** The API as a web handler over `node`, and the engine's controls. */
  const withHandler = <A>(use: (health: () => Promise<{ status: number; body: unknown }>) => Effect.Effect<A, never, MemoryEngine>) =>
    Effect.gen(function*() {
      const context = yield* Layer.build(node)
      const { handler, dispose } = makeApiHandler(Layer.succeedContext(context))
      const health = async () => {
        const response = await handler(new Request("http://knot.test/health"))
        return { status: response.status, body: await response.json() }
      }
      return yield* Effect.ensuring(Effect.provide(use(health), context), Effect.promise(dispose))
    })

  it.scoped("says ok with the engine up", () =>
    withHandler((health) =>
      Effect.gen(function*() {
        const answer = yield* Effect.promise(health)
        expect(answer).toEqual({
          status: 200,
          body: { status: "ok", node: testNodeId, mode: "standalone", zone: "eu-west", engine: { status: "up" } }
        })
      })))

  it.scoped("says degraded, and why, with the engine unreachable; the API itself stays up", () =>
    withHandler((health) =>
      Effect.gen(function*() {
        yield* Effect.flatMap(MemoryEngine, (controls) => controls.makeUnreachable)
        const answer = yield* Effect.promise(health)
        expect(answer.status).toBe(200)
        expect(answer.body).toMatchObject({ status: "degraded", engine: { status: "down", reason: expect.any(String) } })
      })))
})
