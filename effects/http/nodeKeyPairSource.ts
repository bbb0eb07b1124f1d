/**
 * Where a backup finds the node's Noise key pair: a node with a network has one in its data
 * directory, and a restore that keeps it keeps the node's id. Absent (a standalone node, or
 * a test), backups hold none.
 */
import type { Effect } from "effect"
import { Context } from "effect"

export interface StoredKeyPair {
  readonly publicKey: string
  readonly secretKey: string
}

export class NodeKeyPairSource extends Context.Tag("knot/http/NodeKeyPairSource")<NodeKeyPairSource, {
  readonly read: Effect.Effect<StoredKeyPair | undefined>
}>() {}
