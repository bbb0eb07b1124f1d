/**
 * The node a leaf's credential is bound to, keyed by the credential's verifier: written once,
 * by the cluster node that admits the credential's first hello. A record of its own so that
 * the `leaf` record has admins as its only writers: the binding, written from the leaf record
 * read for the hello, would otherwise undo an admin's change made meanwhile on another node,
 * or be undone by it.
 */
import { Schema } from "effect"
import { LeafName } from "./leaf.ts"

export const leafBindingKind = "leaf-binding"

export const LeafBinding = Schema.Struct({
  leaf: LeafName,
  node: Schema.String
})
export type LeafBinding = typeof LeafBinding.Type
