/**
 * Reading a kind's values without letting one bad record break the read: a record whose
 * value does not decode is quarantined in the store (logged once, counted on /health) and
 * left out, as if it were not there, so every list and lookup still answers.
 */
import { Effect, Either } from "effect"
import type { StoredRecord } from "./record.ts"
import type { StoreShape } from "./store.ts"
import type { CorruptRecord, StoreError } from "./store.errors.ts"

export type RecordDecoder<A> = (record: StoredRecord) => Either.Either<A, CorruptRecord>

/** The decoded values of `records`, in their order, without those that do not decode. */
export const readableValues = <A>(
  store: StoreShape,
  records: ReadonlyArray<StoredRecord>,
  decode: RecordDecoder<A>
): Effect.Effect<Array<A>> =>
  Effect.suspend(() => {
    const values: Array<A> = []
    const bad: Array<Effect.Effect<void>> = []
    for (const record of records) {
      const decoded = decode(record)
      if (Either.isRight(decoded)) values.push(decoded.right)
      else bad.push(store.quarantine(record, decoded.left.reason))
    }
    return bad.length === 0 ? Effect.succeed(values) : Effect.as(Effect.all(bad, { discard: true }), values)
  })

/** The decoded value of a live record; `undefined` when missing, deleted or undecodable. */
export const readableValue = <A>(
  store: StoreShape,
  record: StoredRecord | undefined,
  decode: RecordDecoder<A>
): Effect.Effect<A | undefined> =>
  record === undefined || record.deleted
    ? Effect.succeed(undefined)
    : Effect.map(readableValues(store, [record], decode), (values) => values[0])

/** The decoded value of the record `kind/id` as the store holds it now; `undefined` when missing, deleted or undecodable. */
export const readableValueOf = <A>(
  store: StoreShape,
  kind: string,
  id: string,
  decode: RecordDecoder<A>
): Effect.Effect<A | undefined, StoreError> =>
  Effect.flatMap(store.get(kind, id), (record) => readableValue(store, record, decode))
