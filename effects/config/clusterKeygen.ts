import { randomBytes } from "node:crypto"
import { Effect } from "effect"

/**
 * A new cluster key for `[cluster] key`, as 64 hex characters. It comes from the OS's CSPRNG,
 * never from Effect's Random: the key is the cluster's only secret, and a seeded generator is
 * guessable.
 */
export const knotClusterKeygen = (): Effect.Effect<string> => Effect.sync(() => randomBytes(32).toString("hex"))
