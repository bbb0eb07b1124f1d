import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { ContainerDriver, SpaceLabels } from "../../effects/container/containerDriver.ts"
import { makeApiHandler } from "../../effects/http/apiServer.ts"
import { EngineHealth } from "../../effects/http/engineHealth.ts"
import { MemoryDriver, MemoryEngine } from "../../effects/container/memoryDriver.ts"
import { nodeServices, testNodeId } from "./apiHarness.ts"

describe("/health with the container engine", () => {
  const engine = MemoryDriver.layer()
  const node = Layer.mergeAll(nodeServices, EngineHealth.fromContainerDriver()).pipe(Layer.provideMerge(engine))

  /** The API as a web handler over `services`, and the engine's controls. */
  const withHandler = <A>(
    use: (health: () => Promise<{ status: number; body: unknown }>) => Effect.Effect<A, never, MemoryEngine | ContainerDriver>,
    services: typeof node = node
  ) =>
    Effect.gen(function*() {
      const context = yield* Layer.build(services)
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
          body: { status: "ok", node: testNodeId, mode: "standalone", zone: "eu-west", quarantined: 0, refused: 0, engine: { status: "up" } }
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

  it.scoped("costs at most one engine call a probe on a node with 50 containers, and none per container", () => {
    const calls: Array<string> = []
    const counted = Layer.effectContext(
      Effect.map(Effect.context<ContainerDriver | MemoryEngine>(), (context) => {
        const driver = Context.get(context, ContainerDriver)
        const counting = Object.fromEntries(
          Object.entries(driver).map(([operation, call]) => [
            operation,
            typeof call === "function"
              ? (...args: Array<unknown>) => {
                calls.push(operation)
                return (call as (...args: Array<unknown>) => unknown)(...args)
              }
              : Effect.zipRight(Effect.sync(() => calls.push(operation)), call as Effect.Effect<unknown>)
          ])
        ) as unknown as typeof driver
        return Context.add(context, ContainerDriver, counting)
      })
    ).pipe(Layer.provide(MemoryDriver.layer()))
    const services = Layer.mergeAll(nodeServices, EngineHealth.fromContainerDriver()).pipe(Layer.provideMerge(counted))
    return withHandler((health) =>
      Effect.gen(function*() {
        const driver = yield* ContainerDriver
        for (let n = 1; n <= 50; n++) {
          const info = yield* Effect.orDie(driver.create({
            name: `knot.s${n}.0123456789abcdef.1`,
            image: "knot-busybox:latest",
            env: {},
            labels: { [SpaceLabels.node]: testNodeId, [SpaceLabels.space]: `s${n}` },
            volumes: []
          }))
          yield* Effect.orDie(driver.start(info.id))
        }
        calls.length = 0
        const first = yield* Effect.promise(health)
        const second = yield* Effect.promise(health)
        expect([first.status, second.status]).toEqual([200, 200])
        expect(first.body).toMatchObject({ engine: { status: "up" } })
        expect(calls).toEqual(["ping"])
      }), services)
  })
})
