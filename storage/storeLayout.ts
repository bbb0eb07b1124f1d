/**
 * How a store lays its state out in an ordered key-value space. Every backend (RocksDB,
 * memory) stores exactly these keys and bytes, so both have one behaviour, and the memory
 * store exercises the same codecs the disk does.
 *
 *   key                          value
 *   "m"                          StoreMeta as JSON: {"format":1,"node":"<this node's id>"}
 *   "d" + origin                 Version as JSON: this store's digest watermark for `origin`
 *   "r" + JSON [kind, id]        RecordHeader JSON, "\n", the record's value as JSON
 *
 * A record's key is JSON so that any kind and id (even with separators or NULs in them)
 * map to distinct keys. The header comes first and on its own line so that opening a store
 * reads each record's version without parsing its value.
 */
import { Either, ParseResult, Schema } from "effect"
import { NodeId, StoredRecord, Version } from "./record.ts"
import { makeStoredRecord, makeVersion } from "./recordInstances.ts"
import { CorruptRecord, StorageFailure } from "./store.errors.ts"

export const metaKey = "m"
export const digestPrefix = "d"
export const recordPrefix = "r"

/** The layout version; a store refuses a directory written in another one. */
export const layoutFormat = 1

export const StoreMeta = Schema.Struct({ format: Schema.Number, node: NodeId })
export type StoreMeta = typeof StoreMeta.Type

/** [kind, id, wall, counter, origin node, deleted] */
export const RecordHeader = Schema.Tuple(
  Schema.String,
  Schema.String,
  Schema.Number,
  Schema.Number,
  NodeId,
  Schema.Boolean
)
export type RecordHeader = typeof RecordHeader.Type

const RecordKey = Schema.parseJson(Schema.Tuple(Schema.String, Schema.String))
const MetaText = Schema.parseJson(StoreMeta)
const VersionText = Schema.parseJson(Version)
const HeaderText = Schema.parseJson(RecordHeader)

const splitRecordText = (text: string): readonly [string, string] | undefined => {
  // JSON.stringify escapes newlines inside strings, so the first raw newline is the separator.
  const split = text.indexOf("\n")
  return split < 0 ? undefined : [text.slice(0, split), text.slice(split + 1)]
}

/**
 * Schema.is(RecordHeader), written out: opening a store runs it on every record, where the
 * generic guard costs as much as parsing the header. test/storage/storeLayout.test.ts
 * holds the two to the same answers.
 */
export const isRecordHeader = (value: unknown): value is RecordHeader =>
  Array.isArray(value) &&
  value.length === 6 &&
  typeof value[0] === "string" &&
  typeof value[1] === "string" &&
  typeof value[2] === "number" &&
  typeof value[3] === "number" &&
  typeof value[4] === "string" &&
  typeof value[5] === "boolean"

const decodeHeaderText = Schema.decodeUnknownEither(HeaderText)

const reasonOf = (error: ParseResult.ParseError) => ParseResult.TreeFormatter.formatErrorSync(error)

const headerFromText = (text: string): Either.Either<RecordHeader, string> => {
  // Opening a store decodes every header: a guard over JSON.parse is several times cheaper
  // than a full decode, which then runs only to explain a header that fails it.
  try {
    const header: unknown = JSON.parse(text)
    if (isRecordHeader(header)) return Either.right(header)
  } catch {
    // explained by the full decode below
  }
  return Either.mapLeft(decodeHeaderText(text), reasonOf)
}

const recordFromText = (text: string): Either.Either<StoredRecord, string> => {
  const parts = splitRecordText(text)
  if (parts === undefined) return Either.left("no newline between the header and the value")
  return Either.flatMap(headerFromText(parts[0]), ([kind, id, wall, counter, node, deleted]) => {
    try {
      const value: unknown = JSON.parse(parts[1])
      // The header schema has just checked every field.
      return Either.right(makeStoredRecord(kind, id, value, makeVersion(wall, counter, node), deleted))
    } catch (error) {
      return Either.left(`the value is not JSON: ${String(error)}`)
    }
  })
}

const recordToText = (record: StoredRecord): Either.Either<string, string> => {
  let valueJson: string | undefined
  try {
    valueJson = JSON.stringify(record.value)
  } catch (error) {
    return Either.left(`the value cannot be written as JSON: ${String(error)}`)
  }
  if (valueJson === undefined) return Either.left("the value has no JSON form (undefined, a function or a symbol)")
  const { counter, node, wall } = record.version
  return Either.right(JSON.stringify([record.kind, record.id, wall, counter, node, record.deleted]) + "\n" + valueJson)
}

/**
 * A stored record as the text kept under its key. The header is checked by its schema; the
 * value is any JSON (its kind's schema in storage/kinds checks it where it is used).
 * The store's own reads and writes call the same two functions directly, without the
 * schema's machinery around them, since they run once per record.
 */
export const StoredRecordText = Schema.transformOrFail(Schema.String, Schema.typeSchema(StoredRecord), {
  strict: true,
  decode: (text, _, ast) =>
    Either.match(recordFromText(text), {
      onLeft: (reason) => ParseResult.fail(new ParseResult.Type(ast, text, reason)),
      onRight: ParseResult.succeed
    }),
  encode: (record, _, ast) =>
    Either.match(recordToText(record), {
      onLeft: (reason) => ParseResult.fail(new ParseResult.Type(ast, record, reason)),
      onRight: ParseResult.succeed
    })
})

export const recordKey = (kind: string, id: string): string => recordPrefix + JSON.stringify([kind, id])

export const digestKey = (origin: string): string => digestPrefix + origin

const decodeKey = Schema.decodeUnknownEither(RecordKey)
const decodeVersionText = Schema.decodeUnknownEither(VersionText)
const decodeMetaText = Schema.decodeUnknownEither(MetaText)

/** The (kind, id) a record key names. */
export const decodeRecordKey = (key: string): Either.Either<readonly [string, string], CorruptRecord> =>
  Either.mapLeft(decodeKey(key.slice(recordPrefix.length)), (error) =>
    new CorruptRecord({ key, reason: `the key is not a record key: ${reasonOf(error)}` }))

/** Just the header of a stored record: what opening a store needs for its index. */
export const decodeRecordHeader = (key: string, text: string): Either.Either<RecordHeader, CorruptRecord> => {
  const split = text.indexOf("\n")
  if (split < 0) return Either.left(new CorruptRecord({ key, reason: "no newline between the header and the value" }))
  return Either.mapLeft(headerFromText(text.slice(0, split)), (reason) => new CorruptRecord({ key, reason }))
}

export const decodeRecord = (key: string, text: string): Either.Either<StoredRecord, CorruptRecord> =>
  Either.mapLeft(recordFromText(text), (reason) => new CorruptRecord({ key, reason }))

export const encodeRecord = (record: StoredRecord): Either.Either<string, StorageFailure> =>
  Either.mapLeft(recordToText(record), (reason) =>
    new StorageFailure({ operation: "write", reason: `record ${record.kind}/${record.id} cannot be stored: ${reason}` }))

export const decodeDigestEntry = (key: string, text: string): Either.Either<Version, CorruptRecord> =>
  Either.flatMap(
    Either.mapLeft(decodeVersionText(text), (error) => new CorruptRecord({ key, reason: reasonOf(error) })),
    (version) =>
      digestKey(version.node) === key
        ? Either.right(version)
        : Either.left(new CorruptRecord({ key, reason: `the watermark is for node ${version.node}` }))
  )

export const encodeDigestEntry = (version: Version): string => Schema.encodeSync(VersionText)(version)

export const decodeMeta = (text: string): Either.Either<StoreMeta, CorruptRecord> =>
  Either.mapLeft(decodeMetaText(text), (error) => new CorruptRecord({ key: metaKey, reason: reasonOf(error) }))

export const encodeMeta = (meta: StoreMeta): string => Schema.encodeSync(MetaText)(meta)
