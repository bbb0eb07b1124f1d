/**
 * Child process of rocksStore.durability.test.ts: writes to a RocksStore in a loop, one put
 * or one two-record batch at a time, and prints a line for each write once it is
 * acknowledged, until it is killed.
 *
 *   node --import tsx test/storage/durabilityWriter.ts <directory>
 *
 * Output: "ready", then per write "ack <id> <wall> <counter>" (a batch prints one line per record).
 */
import { Effect } from "effect"
import { NodeId } from "../../storage/record.ts"
import type { StoredRecord } from "../../storage/record.ts"
import { RocksStore } from "../../storage/rocksStore.ts"

const directory = process.argv[2]
if (directory === undefined) throw new Error("usage: durabilityWriter.ts <directory>")

const say = (line: string) => Effect.sync(() => process.stdout.write(`${line}\n`))
const acknowledge = (records: ReadonlyArray<StoredRecord>) =>
  say(records.map((record) => `ack ${record.id} ${record.version.wall} ${record.version.counter}`).join("\n"))

const writeForever = Effect.gen(function*() {
  const store = yield* RocksStore.make({ directory, nodeId: NodeId.make("writer"), maxDriftMs: 60_000 })
  yield* say("ready")
  for (let i = 0;; i++) {
    if (i % 2 === 0) {
      yield* acknowledge([yield* store.put("space", `p${i}`, { i })])
    } else {
      yield* acknowledge(
        yield* store.batch([
          { _tag: "Put", kind: "space", id: `b${i}-1`, value: { i } },
          { _tag: "Put", kind: "space", id: `b${i}-2`, value: { i } }
        ])
      )
    }
  }
})

Effect.runPromise(Effect.scoped(writeForever)).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
