/**
 * Carries out removals of kept volumes that this node's engine holds: a user's delete only
 * marks the `volume` record (volumes.live.ts); the node removes the engine volume, then
 * tombstones the record. A removal that fails stays marked and is tried again at the next
 * start of the node or the next change of the record.
 */
import { Effect } from "effect"
import { ContainerDriver } from "../../effects/container/containerDriver.ts"
import type { StoredRecord } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import { decodeRecordValue, liveRecord } from "../space/recordCodec.ts"
import { KeptVolume } from "../../storage/kinds/volume.ts"

export const removeMarkedVolume = (self: string, record: StoredRecord) =>
  Effect.gen(function*() {
    const live = liveRecord(record)
    if (live === undefined) return
    const volume = yield* decodeRecordValue(KeptVolume, live)
    if (volume.node !== self || volume.desired !== "deleted") return
    yield* (yield* ContainerDriver).removeVolume(live.id)
    yield* (yield* Store).delete(live.kind, live.id)
    yield* Effect.logInfo(`removed kept volume ${live.id} of ${volume.owner}, as asked`)
  }).pipe(
    Effect.catchAll((error) => Effect.logWarning(`kept volume ${record.id} stays for now: ${error.message}`))
  )
