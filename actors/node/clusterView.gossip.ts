/**
 * The cluster as membership gossip shows it: this node plus every member the membership
 * actor has heard of, with each member's mode from its node record and its space count from
 * the replicated space records.
 */
import { Clock, Effect, Either, Layer, Stream, SubscriptionRef } from "effect"
import { type LinkedLeaf, Node, type NodeMode } from "../../storage/kinds/node.ts"
import { compareStamps, type Stamp } from "../../storage/lww.ts"
import { Store } from "../../storage/store.ts"
import { lastContacts, type MembershipView } from "../../transport/gossip/membershipView.ts"
import { decodeRecordValue } from "../space/recordCodec.ts"
import { decodeSpace, spaceKind } from "../space/spaceRecord.ts"
import type { Member, MemberZone, MemberState } from "./clusterView.ts"
import { ClusterView } from "./clusterView.ts"
import { nodeKind } from "./node.actor.ts"
import { memberFactsChanged } from "./memberFacts.ts"

export interface GossipClusterOptions {
  readonly view: MembershipView
  readonly mode: NodeMode
}

const nameOf = (node: Node | undefined) => (node?.name === undefined ? {} : { name: node.name })

const badness: Record<MemberState, number> = { joining: 0, alive: 0, leaving: 1, suspect: 1, dead: 2, left: 2 }

/**
 * A leaf's link as this node can use it: the leaf is reached through the node that links it, so
 * it is no more alive, seen from here, than that node is (a killed origin's record still says
 * what its links were when it died).
 */
const throughVia = (leaf: MemberState, via: MemberState): MemberState =>
  badness[via] <= badness[leaf] ? leaf : badness[via] === 1 ? "suspect" : "dead"

/**
 * The leaves this node has no link to, as the cluster nodes that link them list them in their
 * records: the word of the node the leaf names as its origin, else the latest word of any. Only
 * a cluster node's record speaks for links: a leaf writes its own record, and may not speak
 * for another's.
 */
const leavesOfOthers = (
  announced: ReadonlyMap<string, Node>,
  self: string,
  linked: ReadonlySet<string>,
  spaces: ReadonlyMap<string, number>,
  stateOf: (node: string) => MemberState
): ReadonlyArray<Member> => {
  const words = new Map<string, Array<{ readonly via: string; readonly leaf: LinkedLeaf }>>()
  for (const [id, node] of announced) {
    if (id === self || node.mode !== "cluster") continue
    for (const leaf of node.leaves ?? []) words.set(leaf.id, [...(words.get(leaf.id) ?? []), { via: id, leaf }])
  }
  const members: Array<Member> = []
  for (const [id, node] of [...announced].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (node.mode !== "leaf" || id === self || linked.has(id)) continue
    const said = words.get(id) ?? []
    const word = said.find((candidate) => candidate.via === node.origin) ??
      said.reduce<(typeof said)[number] | undefined>((latest, candidate) =>
        latest === undefined || candidate.leaf.since > latest.leaf.since ? candidate : latest, undefined)
    members.push({
      id,
      zone: node.zone,
      mode: "leaf",
      announced: true,
      // Named by its record but listed by no cluster node: nothing in the cluster links it now.
      state: word === undefined ? "dead" : throughVia(word.leaf.state, stateOf(word.via)),
      incarnation: 0,
      spaces: spaces.get(id) ?? 0,
      ...nameOf(node),
      ...(word === undefined ? {} : { via: word.via })
    })
  }
  return members
}

interface DecodedNode {
  readonly version: Stamp
  readonly node: Node | undefined
}

const make = (options: GossipClusterOptions) =>
  Effect.map(Store, (store) => {
    /**
     * Each node record as last decoded, with its version: the view is read at every zone
     * refresh and every status call, and it reads every node record; a record decodes again
     * only once it has changed.
     */
    let decoded = new Map<string, DecodedNode>()
    const announcedNodes = Effect.gen(function* () {
      const announced = new Map<string, Node>()
      const next = new Map<string, DecodedNode>()
      for (const record of yield* store.list(nodeKind)) {
        const known = decoded.get(record.id)
        const entry = known !== undefined && compareStamps(known.version, record.version) === 0
          ? known
          : { version: record.version, node: Either.getOrUndefined(decodeRecordValue(Node, record)) }
        next.set(record.id, entry)
        if (entry.node !== undefined) announced.set(record.id, entry.node)
      }
      decoded = next
      return announced
    }).pipe(Effect.orElseSucceed(() => new Map<string, Node>()))
    const spacesOwned = Effect.gen(function* () {
      const spaces = new Map<string, number>()
      for (const record of yield* store.list(spaceKind)) {
        const space = decodeSpace(record)
        if (Either.isRight(space) && space.right.desired !== "deleted") {
          spaces.set(space.right.node, (spaces.get(space.right.node) ?? 0) + 1)
        }
      }
      return spaces
    }).pipe(Effect.orElseSucceed(() => new Map<string, number>()))

    const contacts = lastContacts(options.view)
    const contactOf = (node: string) => {
      const at = contacts.get(node)
      return at === undefined ? {} : { lastContact: at }
    }

    const membersOf = (spacesOf: Effect.Effect<ReadonlyMap<string, number>>) => Effect.gen(function* () {
      const snapshot = yield* SubscriptionRef.get(options.view)
      const announced = yield* announcedNodes
      const spaces = yield* spacesOf
      const now = yield* Clock.currentTimeMillis
      const self: Member = {
        id: snapshot.self,
        zone: snapshot.zone,
        mode: options.mode,
        state: "alive",
        incarnation: snapshot.incarnation,
        lastContact: now,
        spaces: spaces.get(snapshot.self) ?? 0,
        announced: true,
        ...nameOf(announced.get(snapshot.self))
      }
      const others = [...snapshot.members.values()]
        .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
        .map(
          (member): Member => ({
            id: member.node,
            // Gossip tells a member's zone with its first message; its record may come sooner.
            zone: member.zone === "" ? announced.get(member.node)?.zone ?? "" : member.zone,
            mode: announced.get(member.node)?.mode ?? "cluster",
            announced: announced.has(member.node),
            state: member.state,
            incarnation: member.incarnation,
            ...contactOf(member.node),
            spaces: spaces.get(member.node) ?? 0,
            ...nameOf(announced.get(member.node))
          })
        )
      // A node this node has not heard of yet is no sure way to a leaf.
      const stateOf = (node: string): MemberState => snapshot.members.get(node)?.state ?? "suspect"
      const leaves = leavesOfOthers(announced, snapshot.self, new Set(snapshot.members.keys()), spaces, stateOf)
      return [self, ...others, ...leaves]
    })
    const members = membersOf(spacesOwned)
    return ClusterView.of({
      self: Effect.map(members, (all) => all[0] as Member),
      members,
      memberZones: Effect.map(membersOf(Effect.succeed(new Map())), (all) =>
        all.map(({ id, state, zone }): MemberZone => ({ id, zone, state }))),
      // The view's own stream starts with its current value: a signal a reader takes as "look now".
      changes: Stream.merge(Stream.as(options.view.changes, undefined), memberFactsChanged(store))
    })
  })

export const GossipClusterView = {
  make,
  layer: (options: GossipClusterOptions): Layer.Layer<ClusterView, never, Store> =>
    Layer.effect(ClusterView, make(options))
}
