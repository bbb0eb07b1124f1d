/** A leaf's `[leaf] credential`, read into what its transport proves itself with. */
import { Data, Effect, Either } from "effect"
import type { LeafIdentity } from "../../transport/hyperswarm/leafGate.ts"
import { leafVerifier, parseLeafCredential } from "../../transport/leaf/leafCredential.ts"

export class LeafCredentialInvalid extends Data.TaggedError("LeafCredentialInvalid")<{ readonly reason: string }> {
  override get message() {
    return `[leaf] credential: ${this.reason}`
  }
}

export const leafIdentity = (credential: string): Effect.Effect<LeafIdentity, LeafCredentialInvalid> =>
  Either.match(parseLeafCredential(credential), {
    onLeft: (reason) => Effect.fail(new LeafCredentialInvalid({ reason })),
    onRight: ({ name, secret }) => Effect.succeed({ name, verifier: Buffer.from(leafVerifier(secret), "hex") })
  })
