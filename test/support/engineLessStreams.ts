/**
 * Space streams for in-process API tests, which run no container engine: the real router
 * (access checks, limits, readiness) over an engine side that refuses every open saying so.
 */
import { Effect, Layer } from "effect"
import { ContainerStreamFailed, ContainerStreams } from "../../effects/container/containerStreams.ts"
import { AccountsLive } from "../../effects/http/auth/accounts.ts"
import { defaultStreamsOptions, spaceStreamsLayer } from "../../effects/streams/spaceStreams.live.ts"

const noEngine = Layer.succeed(ContainerStreams, {
  open: () => Effect.fail(new ContainerStreamFailed({ reason: "this test node has no container engine" }))
})

/** `engine` stands in for the engine side where a test needs streams that open. */
export const engineLessStreams = (self: string, engine: Layer.Layer<ContainerStreams> = noEngine) =>
  spaceStreamsLayer({ self, ...defaultStreamsOptions }).pipe(Layer.provide(Layer.merge(engine, AccountsLive)))
