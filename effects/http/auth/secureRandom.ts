/**
 * Randomness for secrets. Effect's Random is seeded and replayable, which is what the
 * simulator wants and exactly what a token must never be; secrets come from the OS instead.
 */
import { randomBytes } from "node:crypto"
import { Context, Effect, Layer } from "effect"

export interface SecureRandomShape {
  readonly bytes: (count: number) => Effect.Effect<Uint8Array>
}

export class SecureRandom extends Context.Tag("knot/http/SecureRandom")<SecureRandom, SecureRandomShape>() {
  static readonly live: Layer.Layer<SecureRandom> = Layer.succeed(SecureRandom, {
    bytes: (count) => Effect.sync(() => new Uint8Array(randomBytes(count)))
  })
}
