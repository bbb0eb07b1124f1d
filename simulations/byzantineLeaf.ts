/**
 * A compromised leaf, as the harness plays it: the leaf's node keeps running honestly, and
 * from its endpoint the harness also sends its origin what an attacker holding the laptop
 * would — records outside the leaf's authority (an admin, a token, a template, a leaf, a
 * space of another user, the state of a space it does not run, a write in another node's
 * name), versions and watermarks far in the future, and hellos claiming other ids. Every
 * forged key starts with `byz-`, so the invariant can tell forgeries from honest writes.
 */
import { Either } from "effect"
import { NodeId, StoredRecord, Version } from "../storage/record.ts"
import { Delta } from "../storage/record.ts"
import type { FrameLimits } from "../transport/codec/frame.ts"
import { encodeGossip, type GossipMessage } from "../transport/gossip/gossip.wire.ts"

export const forgedPrefix = "byz-"

const record = (kind: string, id: string, value: unknown, node: string, wall: number, counter = 0) =>
  new StoredRecord({ kind, id, value, deleted: false, version: new Version({ wall, counter, node: NodeId.make(node) }) })

/**
 * The frames the leaf sends its origin at `now`, in order. The forgeries are stamped `aheadMs`
 * ahead (within the drift bound), so that without the gate they would win over every honest
 * write and watermark: only the gate keeps them out.
 */
export const byzantineFrames = (
  leaf: string,
  origin: string,
  now: number,
  aheadMs: number,
  limits: FrameLimits
): ReadonlyArray<Uint8Array> => {
  let counter = 0
  const stamp = now + aheadMs
  const mine = (kind: string, id: string, value: unknown) =>
    record(kind, `${forgedPrefix}${id}`, value, leaf, stamp, counter++)
  const outside = [
    mine("user", "admin", { name: "byz-admin", role: "admin" }),
    mine("user-role", "admin", { role: "admin" }),
    mine("user-status", "admin", { disabled: false }),
    mine("token", "token", { user: "byz-admin", hash: "ab".repeat(32), createdAt: now }),
    mine("template", "template", { name: "byz-template", image: "busybox", zones: [], env: {}, volumes: [] }),
    mine("leaf", "leaf", { users: ["dev"], verifier: "cd".repeat(32), createdAt: now }),
    // Its credential bound to another node, and another leaf revoked.
    mine("leaf-binding", "binding", { leaf: "byz-leaf", node: "elsewhere" }),
    mine("leaf-revocation", "revocation", { leaf: "byz-leaf", revokedAt: now }),
    mine("space", "space", {
      name: "byz-space",
      creation: "0123456789abcdef",
      owner: "mallory",
      template: "dev",
      node: leaf,
      zone: "z",
      desired: "running",
      generation: 0
    }),
    mine("space-status", "status", { observed: "running" }),
    mine("volume", "volume", {
      owner: "mallory",
      node: origin,
      zone: "z",
      volume: "home",
      space: "byz-space",
      spaceId: "byz-space",
      keptAt: now,
      desired: "deleted"
    }),
    record("user", `${forgedPrefix}impersonated`, { name: "byz-impersonated", role: "admin" }, origin, stamp)
  ]
  const farAhead = now + 1e12
  const messages: ReadonlyArray<GossipMessage> = [
    { _tag: "Delta", delta: new Delta({ records: outside, upTo: {} }) },
    { _tag: "Push", records: outside, hops: 3, until: origin },
    // A far-future version of a record the leaf may write: refused for its clock, not its kind.
    { _tag: "Delta", delta: new Delta({ records: [record("node", leaf, { zone: "z", mode: "leaf", startedAt: 0 }, leaf, farAhead)], upTo: {} }) },
    // Watermarks far ahead, its own and its origin's: either would silence that origin here.
    {
      _tag: "Delta",
      delta: new Delta({
        records: [],
        upTo: {
          [leaf]: new Version({ wall: now + 1e15, counter: 0, node: NodeId.make(leaf) }),
          [origin]: new Version({ wall: now + 1e15, counter: 0, node: NodeId.make(origin) })
        }
      })
    },
    // A plausible watermark for its origin: a leaf speaks for its own writes only.
    { _tag: "Delta", delta: new Delta({ records: [], upTo: { [origin]: new Version({ wall: now, counter: 0, node: NodeId.make(origin) }) } }) }
  ]
  return messages.flatMap((message) => Either.match(encodeGossip(message, leaf, limits), { onLeft: () => [], onRight: (frame) => [frame] }))
}
