/**
 * Whom a leaf serves. The origin sends a leaf the accounts of the users its leaf record names,
 * and the leaf's own leaf record; but a leaf added again without a user keeps the records of
 * hers it holds. So on a leaf holding its own record, an account that record does not name is
 * not one it serves: nobody signs in as her there, by token, password, session or SSH key.
 * A leaf that holds no readable record of its own yet serves every account it holds.
 */
import { Context, Effect, Option } from "effect"
import { Leaf, leafKind } from "../../../storage/kinds/leaf.ts"
import { readableValueOf } from "../../../storage/readableRecords.ts"
import type { StoreShape } from "../../../storage/store.ts"
import type { StoreError } from "../../../storage/store.errors.ts"
import { storedDecoder } from "./storedRecords.ts"

/** On a leaf: its name, as its credential gives it. Absent on cluster and standalone nodes. */
export class OwnLeafName extends Context.Tag("knot/http/OwnLeafName")<OwnLeafName, string>() {}

const decodeLeaf = storedDecoder(Leaf)

/** Which accounts the node serves, as its own leaf record says now (read once per use): all, off a leaf. */
export const servedAccounts = (
  store: StoreShape,
  ownLeaf: Option.Option<string>
): Effect.Effect<(user: string) => boolean, StoreError> =>
  Option.match(ownLeaf, {
    onNone: () => Effect.succeed(() => true),
    onSome: (name) =>
      Effect.map(
        readableValueOf(store, leafKind, name, decodeLeaf),
        (leaf) => (user: string) => leaf === undefined || leaf.users.includes(user)
      )
  })
