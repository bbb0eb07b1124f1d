import { describe, expect, it } from "@effect/vitest"
import { Equal, Schema } from "effect"
import fc from "fast-check"
import { NodeId, StoredRecord, Version } from "../../storage/record.ts"
import { makeStoredRecord, makeVersion } from "../../storage/recordInstances.ts"

const fields = fc.record({
  wall: fc.nat(),
  counter: fc.nat(),
  node: fc.string({ minLength: 1 }).map((node) => NodeId.make(node)),
  kind: fc.string(),
  id: fc.string(),
  value: fc.jsonValue(),
  deleted: fc.boolean()
})

/** Everything that tells two instances apart: class, own fields in order, encoding, equality. */
const sameObject = (made: object, built: object) => {
  expect(Object.getPrototypeOf(made)).toBe(Object.getPrototypeOf(built))
  expect(Object.keys(made)).toEqual(Object.keys(built))
  expect(Object.getOwnPropertySymbols(made)).toEqual(Object.getOwnPropertySymbols(built))
  expect(Equal.equals(made, built)).toBe(true)
}

describe("record instances made without the constructors", () => {
  it("a made Version is the object the Version constructor makes", () =>
    fc.assert(fc.property(fields, ({ counter, node, wall }) => {
      const made = makeVersion(wall, counter, node)
      const built = new Version({ wall, counter, node })
      sameObject(made, built)
      expect(Schema.is(Version)(made)).toBe(true)
      expect(Schema.encodeSync(Version)(made)).toEqual(Schema.encodeSync(Version)(built))
    })))

  it("a made StoredRecord is the object the StoredRecord constructor makes", () =>
    fc.assert(fc.property(fields, ({ counter, deleted, id, kind, node, value, wall }) => {
      const made = makeStoredRecord(kind, id, value, makeVersion(wall, counter, node), deleted)
      const built = new StoredRecord({ kind, id, value, version: new Version({ wall, counter, node }), deleted })
      sameObject(made, built)
      sameObject(made.version, built.version)
      expect(Schema.is(StoredRecord)(made)).toBe(true)
      expect(Schema.encodeSync(StoredRecord)(made)).toEqual(Schema.encodeSync(StoredRecord)(built))
    })))
})
