import type { Effect } from "effect"
import { Context } from "effect"
import type { StoreError } from "../../storage/store.errors.ts"
import type { KeptVolumeView } from "./keptVolumes.ts"
import type { VolumeNotFound } from "./spaces.errors.ts"

/**
 * Kept volumes: what deleted spaces left on their nodes' engines. A delete only marks the
 * record; the node that holds the volume removes it (node/keptVolumeRemoval.ts) and then its record.
 */
export interface VolumesShape {
  readonly list: (filter?: { readonly owner?: string }) => Effect.Effect<ReadonlyArray<KeptVolumeView>, StoreError>
  readonly get: (id: string) => Effect.Effect<KeptVolumeView, VolumeNotFound | StoreError>
  readonly delete: (id: string) => Effect.Effect<KeptVolumeView, VolumeNotFound | StoreError>
}

export class Volumes extends Context.Tag("knot/Volumes")<Volumes, VolumesShape>() {}
