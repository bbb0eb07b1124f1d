/**
 * The members a membership view publishes. The membership actor publishes its view after
 * every message that changed a member, and each snapshot must stay as it was published; a
 * copy of every member per publish was a tenth of what a 400-node simulation allocated. So
 * members are kept in the buckets digestSummary.ts splits ids into, and a publish shares
 * every bucket with the last one but those changed since: a change copies its bucket once,
 * about n/16 members. Snapshots list members in the order they were first set, as a Map does.
 */
import { bucketOf, summaryBuckets } from "./digestSummary.ts"
import type { MemberView } from "./membershipView.ts"

/** One published set of members: read-only, and never changed after it is made. */
export class PublishedMembers implements ReadonlyMap<string, MemberView> {
  constructor(
    /** Every member ever set, in the order first set; shared and only appended to. */
    private readonly order: ReadonlyArray<string>,
    readonly size: number,
    private readonly buckets: ReadonlyArray<ReadonlyMap<string, MemberView>>
  ) {}

  get(node: string): MemberView | undefined {
    return this.buckets[bucketOf(node)]!.get(node)
  }

  has(node: string): boolean {
    return this.buckets[bucketOf(node)]!.has(node)
  }

  *keys(): MapIterator<string> {
    for (let i = 0; i < this.size; i++) yield this.order[i]!
  }

  *values(): MapIterator<MemberView> {
    for (let i = 0; i < this.size; i++) yield this.get(this.order[i]!)!
  }

  *entries(): MapIterator<[string, MemberView]> {
    for (let i = 0; i < this.size; i++) {
      const node = this.order[i]!
      yield [node, this.get(node)!]
    }
  }

  [Symbol.iterator](): MapIterator<[string, MemberView]> {
    return this.entries()
  }

  forEach(callback: (view: MemberView, node: string, map: ReadonlyMap<string, MemberView>) => void, thisArg?: unknown): void {
    for (const [node, view] of this.entries()) callback.call(thisArg, view, node, this)
  }
}

/** The membership actor's own members, from which it publishes. Members are set, never removed. */
export class MemberViews {
  private readonly order: Array<string> = []
  private readonly buckets: Array<Map<string, MemberView>> = Array.from({ length: summaryBuckets }, () => new Map())
  /** Buckets the last publish shares, to be copied before they change. */
  private readonly shared: Array<boolean> = Array.from({ length: summaryBuckets }, () => false)

  set(view: MemberView): void {
    const bucket = bucketOf(view.node)
    let members = this.buckets[bucket]!
    if (this.shared[bucket]) {
      members = new Map(members)
      this.buckets[bucket] = members
      this.shared[bucket] = false
    }
    if (!members.has(view.node)) this.order.push(view.node)
    members.set(view.node, view)
  }

  publish(): PublishedMembers {
    this.shared.fill(true)
    return new PublishedMembers(this.order, this.order.length, [...this.buckets])
  }
}
