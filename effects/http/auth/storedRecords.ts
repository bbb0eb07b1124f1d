/** Decoding a stored value with its kind's schema; a value that does not decode is corrupt, not missing. */
import { Either, ParseResult, Schema } from "effect"
import type { StoredRecord } from "../../../storage/record.ts"
import type { RecordDecoder } from "../../../storage/readableRecords.ts"
import { CorruptRecord } from "../../../storage/store.errors.ts"

export const storedDecoder = <A, I>(schema: Schema.Schema<A, I>): RecordDecoder<A> => {
  const decode = Schema.decodeUnknownEither(schema)
  return (record: StoredRecord) =>
    Either.mapLeft(decode(record.value), (error) =>
      new CorruptRecord({
        key: `${record.kind}/${record.id}`,
        reason: ParseResult.TreeFormatter.formatErrorSync(error)
      }))
}
