/** The records a member's view is read from besides membership: node records and the spaces placed on nodes. */
import { Stream } from "effect"
import type { StoreShape } from "../../storage/store.ts"
import { spaceKind } from "../space/spaceRecord.ts"
import { nodeKind } from "./node.actor.ts"

/** A signal on each change of a record that a member's name, zone, mode or space count is read from. */
export const memberFactsChanged = (store: StoreShape): Stream.Stream<void> =>
  store.changes.pipe(
    Stream.filter((change) => change.record.kind === nodeKind || change.record.kind === spaceKind),
    Stream.as(undefined)
  )
