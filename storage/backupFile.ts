/**
 * A node's backup as a file: one JSON line naming what it is (the node, when, its Noise key
 * pair so that the restored node keeps its id), then one `[key, value]` line per entry of its
 * store's snapshot, in the store's own layout.
 */
import { Either, ParseResult, Schema } from "effect"

export const BackupHeader = Schema.Struct({
  format: Schema.Literal("knot-backup"),
  version: Schema.Literal(1),
  node: Schema.String,
  createdAt: Schema.Number,
  keyPair: Schema.optionalWith(
    Schema.Struct({ publicKey: Schema.String, secretKey: Schema.String }),
    { exact: true }
  )
})
export type BackupHeader = typeof BackupHeader.Type

const Entry = Schema.Tuple(Schema.String, Schema.String)

const decodeHeader = Schema.decodeUnknownEither(Schema.parseJson(BackupHeader))
const decodeEntry = Schema.decodeUnknownEither(Schema.parseJson(Entry))

export const encodeBackup = (header: BackupHeader, entries: ReadonlyArray<readonly [string, string]>): string =>
  [JSON.stringify(header), ...entries.map((entry) => JSON.stringify(entry))].join("\n") + "\n"

export interface Backup {
  readonly header: BackupHeader
  readonly entries: ReadonlyArray<readonly [string, string]>
}

export const decodeBackup = (text: string): Either.Either<Backup, string> => {
  const lines = text.split("\n").filter((line) => line.length > 0)
  const header = decodeHeader(lines[0] ?? "")
  if (Either.isLeft(header)) {
    return Either.left(`it is not a knot backup (${ParseResult.TreeFormatter.formatErrorSync(header.left).split("\n")[0]})`)
  }
  const entries: Array<readonly [string, string]> = []
  for (let i = 1; i < lines.length; i++) {
    const entry = decodeEntry(lines[i])
    if (Either.isLeft(entry)) return Either.left(`line ${i + 1} is not an entry of a store; the backup is damaged`)
    entries.push(entry.right)
  }
  return Either.right({ header: header.right, entries })
}
