/** Gossip messages for codec tests: one of every kind, and the variants of optional fields. */
import { Delta, type NodeId, StoredRecord, Version } from "../../storage/record.ts"
import type { GossipMessage } from "../../transport/gossip/gossip.wire.ts"

const version = (node: string, wall: number) => new Version({ wall, counter: 0, node: node as NodeId })

export const record = new StoredRecord({ kind: "template", id: "t1", value: { image: "x" }, version: version("n1", 5), deleted: false })

export const everyMessageKind: ReadonlyArray<GossipMessage> = [
  { _tag: "Ping", seq: 1, updates: [{ node: "n2", zone: "a", status: "suspect", incarnation: 3 }] },
  { _tag: "PingReq", seq: 2, target: "n3", updates: [] },
  { _tag: "Ack", seq: 2, updates: [] },
  { _tag: "MembershipUpdates", updates: [{ node: "n4", zone: "b", status: "dead", incarnation: 0 }] },
  { _tag: "MembershipSummary", buckets: Array.from({ length: 16 }, (_, i) => `m${i}`) },
  { _tag: "MembershipState", members: [{ node: "n5", zone: "c", status: "alive", incarnation: 2 }], buckets: [4], reply: true },
  { _tag: "Summary", buckets: Array.from({ length: 16 }, (_, i) => (i === 3 ? "" : `h${i}`)) },
  { _tag: "Digest", digest: { n1: version("n1", 5) } },
  { _tag: "Digest", digest: { n1: version("n1", 5) }, buckets: [0, 15] },
  { _tag: "Delta", delta: new Delta({ records: [record], upTo: { n1: version("n1", 5) } }), digest: {} },
  { _tag: "Delta", delta: new Delta({ records: [], upTo: {} }) },
  { _tag: "Delta", delta: new Delta({ records: [], upTo: {} }), digest: {}, buckets: [7] },
  { _tag: "Push", records: [record], hops: 4 }
]
