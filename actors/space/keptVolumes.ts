/** Reading and writing `volume` records (storage/kinds/volume.ts). */
import { Effect, Either, Schema } from "effect"
import type { KeptVolume } from "../../storage/kinds/volume.ts"
import { KeptVolume as KeptVolumeSchema } from "../../storage/kinds/volume.ts"
import { readableValue, readableValues } from "../../storage/readableRecords.ts"
import type { StoreShape } from "../../storage/store.ts"
import type { StoreError } from "../../storage/store.errors.ts"
import { decodeRecordValue } from "./recordCodec.ts"

export const volumeKind = "volume"

export const encodeKeptVolume = Schema.encodeSync(KeptVolumeSchema)

/** A kept volume as people see it: its record and its id (the engine's name for it). */
export interface KeptVolumeView extends KeptVolume {
  readonly id: string
}

export const readKeptVolume = (store: StoreShape, id: string): Effect.Effect<KeptVolumeView | undefined, StoreError> =>
  Effect.flatMap(store.get(volumeKind, id), (record) =>
    readableValue(store, record, (live) =>
      Either.map(decodeRecordValue(KeptVolumeSchema, live), (volume) => ({ ...volume, id }))))

/** Every kept volume, ordered by id; one that does not decode is quarantined, not a failed list. */
export const listKeptVolumes = (store: StoreShape): Effect.Effect<ReadonlyArray<KeptVolumeView>, StoreError> =>
  Effect.flatMap(store.list(volumeKind), (records) =>
    readableValues(store, records, (record) =>
      Either.map(decodeRecordValue(KeptVolumeSchema, record), (volume) => ({ ...volume, id: record.id }))))
