/** Decoding a stored value with its kind's schema; a value that does not decode is corrupt, not missing. */
import { Effect, ParseResult, Schema } from "effect"
import { CorruptRecord } from "../../../storage/store.errors.ts"

export const storedDecoder = <A, I>(schema: Schema.Schema<A, I>, kind: string) => {
  const decode = Schema.decodeUnknown(schema)
  return (id: string, value: unknown): Effect.Effect<A, CorruptRecord> =>
    decode(value).pipe(
      Effect.mapError((error) =>
        new CorruptRecord({ key: `${kind}/${id}`, reason: ParseResult.TreeFormatter.formatErrorSync(error) })
      )
    )
}
