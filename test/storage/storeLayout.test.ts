import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import fc from "fast-check"
import {
  decodeRecord,
  decodeRecordKey,
  isRecordHeader,
  RecordHeader,
  recordKey,
  StoredRecordText
} from "../../storage/storeLayout.ts"
import { describeRecord, remoteRecord, version } from "./storeFixtures.ts"

const records = fc
  .record({
    kind: fc.string(),
    id: fc.string(),
    // JSON has no -0 (it writes 0), so a value is generated as JSON can carry it
    value: fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown),
    wall: fc.nat(),
    counter: fc.nat(),
    node: fc.string({ minLength: 1 }),
    deleted: fc.boolean()
  })
  .map((r) => remoteRecord(r.kind, r.id, r.value, version(r.wall, r.node, r.counter), r.deleted))

describe("stored record layout", () => {
  it("a record encodes to text and decodes back unchanged", () =>
    fc.assert(fc.property(records, (record) => {
      const text = Schema.encodeSync(StoredRecordText)(record)
      expect(describeRecord(Schema.decodeSync(StoredRecordText)(text))).toEqual(describeRecord(record))
    })))

  it("distinct (kind, id) pairs get distinct keys that name them", () =>
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (kindA, idA, kindB, idB) => {
      fc.pre(kindA !== kindB || idA !== idB)
      expect(recordKey(kindA, idA)).not.toBe(recordKey(kindB, idB))
      expect(Either.getOrThrow(decodeRecordKey(recordKey(kindA, idA)))).toEqual([kindA, idA])
    })))

  it("a value with no JSON form cannot be encoded", () => {
    const record = remoteRecord("space", "s", () => 1, version(1, "a"))
    expect(Either.isLeft(Schema.encodeEither(StoredRecordText)(record))).toBe(true)
  })

  it("undecodable text gives CorruptRecord naming the key", () => {
    const key = recordKey("space", "s")
    for (const text of ["garbage", "[\"space\",\"s\",1,0,\"a\"]\n{}", "[\"space\",\"s\",1,0,\"a\",false]\n{not json"]) {
      const result = decodeRecord(key, text)
      expect(Either.isLeft(result) && result.left._tag === "CorruptRecord" && result.left.key === key).toBe(true)
    }
  })
})

describe("record header guard", () => {
  const headerLike = fc.oneof(
    fc.tuple(fc.string(), fc.string(), fc.double(), fc.double(), fc.string(), fc.boolean()),
    fc.array(fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null)), { maxLength: 7 }),
    fc.anything()
  )

  it("gives the schema's answer for any value", () =>
    fc.assert(fc.property(headerLike, (value) => {
      expect(isRecordHeader(value)).toBe(Schema.is(RecordHeader)(value))
    }), { numRuns: 500 }))
})
