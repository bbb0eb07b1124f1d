/**
 * Spaces as users see them, kept decoded in memory and brought up to date from the store's
 * change feed, so that a list decodes only what changed since the last one and a lookup by
 * id costs a map read. Changes are taken from the feed when a read comes, before it answers:
 * a read sees every write that finished before it, as a read of the store would.
 */
import { Chunk, Effect, Either, Queue } from "effect"
import type { Scope } from "effect"
import { readableValue } from "../../storage/readableRecords.ts"
import type { StoredRecord } from "../../storage/record.ts"
import type { StoreShape } from "../../storage/store.ts"
import type { StoreError } from "../../storage/store.errors.ts"
import { decodeSpaceStatus, namedAndSorted, spaceKind, spaceStatusKind, toSpaceView } from "./spaceRecord.ts"
import type { SpaceView } from "./spaces.ts"

export interface SpaceViewsShape {
  /** Every space, under the names they show, ordered by owner and name. */
  readonly all: Effect.Effect<ReadonlyArray<SpaceView>, StoreError>
  readonly byId: (id: string) => Effect.Effect<SpaceView | undefined, StoreError>
}

export const makeSpaceViews = (store: StoreShape): Effect.Effect<SpaceViewsShape, StoreError, Scope.Scope> =>
  Effect.gen(function*() {
    // Subscribed before the first read, so that no change between the two is missed.
    const changes = yield* store.subscribe
    const spaces = new Map<string, StoredRecord>()
    const statuses = new Map<string, StoredRecord>()
    for (const record of yield* store.list(spaceKind)) spaces.set(record.id, record)
    for (const record of yield* store.list(spaceStatusKind)) statuses.set(record.id, record)

    /** Per space: its view before naming, or null when its records do not decode. */
    const decoded = new Map<string, SpaceView | null>()
    let named: { readonly list: ReadonlyArray<SpaceView>; readonly byId: ReadonlyMap<string, SpaceView> } | undefined

    const apply = (record: StoredRecord) => {
      const held = record.kind === spaceKind ? spaces : record.kind === spaceStatusKind ? statuses : undefined
      if (held === undefined) return
      if (record.deleted) held.delete(record.id)
      else held.set(record.id, record)
      decoded.delete(record.id)
      named = undefined
    }

    // One taker at a time, so that batches of changes apply in the order they were made.
    const taking = yield* Effect.makeSemaphore(1)
    const catchUp = taking.withPermits(1)(Effect.map(Queue.takeAll(changes), (taken) => {
      for (const change of Chunk.toReadonlyArray(taken)) apply(change.record)
    }))
    // Between reads too, so that the feed's backlog stays small on a node nobody asks.
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep("1 second"), catchUp)))

    const current = Effect.gen(function*() {
      yield* catchUp
      if (named !== undefined) return named
      const views: Array<SpaceView> = []
      for (const [id, record] of spaces) {
        let view = decoded.get(id)
        if (view === undefined) {
          // A status that does not decode is left out (and quarantined), so that its space still shows.
          const status = yield* readableValue(store, statuses.get(id), (held) => Either.map(decodeSpaceStatus(held), () => held))
          const either = toSpaceView(record, status)
          if (Either.isLeft(either)) yield* store.quarantine(record, either.left.reason)
          view = Either.getOrNull(either)
          decoded.set(id, view)
        }
        if (view !== null) views.push(view)
      }
      const list = namedAndSorted(views)
      named = { list, byId: new Map(list.map((view) => [view.id, view])) }
      return named
    })

    return {
      all: Effect.map(current, (views) => views.list),
      byId: (id) => Effect.map(current, (views) => views.byId.get(id))
    }
  })
