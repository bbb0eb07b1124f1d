/**
 * Reading replicated records with their kind's Schema. A value that does not decode is
 * reported as the store reports an unreadable record (CorruptRecord), naming its key.
 */
import { Either, ParseResult, Schema } from "effect"
import type { StoredRecord } from "../../storage/record.ts"
import { CorruptRecord } from "../../storage/store.errors.ts"

/** Every issue of a parse error on one line: `field.path: what is wrong`, joined by "; ". */
export const describeParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`))
    .join("; ")

export const decodeRecordValue = <A, I>(
  schema: Schema.Schema<A, I>,
  record: StoredRecord
): Either.Either<A, CorruptRecord> =>
  Either.mapLeft(
    Schema.decodeUnknownEither(schema)(record.value),
    (error) => new CorruptRecord({ key: `${record.kind}/${record.id}`, reason: describeParseError(error) })
  )

/** The record when it holds a value: `undefined` for a missing record or a tombstone. */
export const liveRecord = (record: StoredRecord | undefined): StoredRecord | undefined =>
  record === undefined || record.deleted ? undefined : record
