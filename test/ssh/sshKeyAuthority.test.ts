/** What a leaf may write of `ssh-key` records, and which it receives (transport/gossip/leafAuthority.ts). */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type LeafScope, type RecordLookup, refusalOf, shareWithLeaf } from "../../transport/gossip/leafAuthority.ts"
import { NodeId, StoredRecord, Version } from "../../storage/record.ts"

const leaf = "n-leaf0000001"
const scope: LeafScope = { name: "laptop", node: leaf, users: new Set(["alice"]), zone: "laptop" }
const publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIML6Va/3e8141QV1OwgnsqEPHH4uKHW8r83c17PSR0gr"

const keyRecord = (user: string, options: { readonly by?: string; readonly deleted?: boolean } = {}) =>
  new StoredRecord({
    kind: "ssh-key",
    id: "ab".repeat(32),
    value: options.deleted === true ? null : { user, publicKey, name: "laptop", addedAt: 1 },
    version: new Version({ wall: 1, counter: 0, node: NodeId.make(options.by ?? leaf) }),
    deleted: options.deleted === true
  })

const holding = (stored: StoredRecord | undefined): RecordLookup => () => Effect.succeed(stored)

describe("ssh-key records and a leaf", () => {
  it.effect("a leaf may add a key to a user it serves", () =>
    Effect.gen(function*() {
      expect(yield* refusalOf(scope, keyRecord("alice"), holding(undefined), new Map())).toBeUndefined()
    }))

  it.effect("a leaf may not write a key for a user it does not serve", () =>
    Effect.gen(function*() {
      expect(yield* refusalOf(scope, keyRecord("bob"), holding(undefined), new Map())).toMatch(/does not serve/)
    }))

  it.effect("a leaf may not take over another user's key, nor delete it", () =>
    Effect.gen(function*() {
      const bobs = keyRecord("bob", { by: "n-cluster0001" })
      expect(yield* refusalOf(scope, keyRecord("alice"), holding(bobs), new Map())).toMatch(/does not serve/)
      expect(yield* refusalOf(scope, keyRecord("", { deleted: true }), holding(bobs), new Map())).toMatch(/does not serve/)
    }))

  it.effect("the origin sends a leaf its users' keys and not others'", () =>
    Effect.gen(function*() {
      expect(yield* shareWithLeaf(scope, keyRecord("alice", { by: "n-cluster0001" }), holding(undefined))).toBe("send")
      expect(yield* shareWithLeaf(scope, keyRecord("bob", { by: "n-cluster0001" }), holding(undefined))).toBe("withhold")
    }))
})
