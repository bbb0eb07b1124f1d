import { Effect, Layer } from "effect"
import { Store } from "../../storage/store.ts"
import { encodeKeptVolume, listKeptVolumes, readKeptVolume, volumeKind } from "./keptVolumes.ts"
import { VolumeNotFound } from "./spaces.errors.ts"
import { Volumes } from "./volumes.ts"

export const VolumesLive: Layer.Layer<Volumes, never, Store> = Layer.effect(
  Volumes,
  Effect.gen(function*() {
    const store = yield* Store
    const get = (id: string) =>
      Effect.flatMap(readKeptVolume(store, id), (volume) =>
        volume === undefined ? Effect.fail(new VolumeNotFound({ volume: id })) : Effect.succeed(volume))
    return Volumes.of({
      list: (filter) =>
        Effect.map(listKeptVolumes(store), (volumes) =>
          volumes.filter((volume) => filter?.owner === undefined || volume.owner === filter.owner)),
      get,
      delete: (id) =>
        Effect.flatMap(get(id), (volume) => {
          if (volume.desired === "deleted") return Effect.succeed(volume)
          const { id: _, ...kept } = volume
          return Effect.as(store.put(volumeKind, id, encodeKeptVolume({ ...kept, desired: "deleted" })), {
            ...volume,
            desired: "deleted" as const
          })
        })
    })
  })
)
