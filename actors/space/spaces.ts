import type { Effect } from "effect"
import { Context } from "effect"
import type { StoreError } from "../../storage/store.errors.ts"
import type { Space } from "../../storage/kinds/space.ts"
import type { SpaceStatus } from "../../storage/kinds/spaceStatus.ts"
import type {
  NoAliveNodeInZones,
  SpaceNameInvalid,
  SpaceNameTaken,
  SpaceNotFound,
  SpaceQuotaExceeded,
  SpaceRequestRefused,
  TemplateNotFound,
  VolumeNotFound,
  VolumeNotYours,
  VolumeReuseInvalid
} from "./spaces.errors.ts"

export interface CreateSpace {
  readonly name: string
  readonly template: string
  /** The user id it belongs to. */
  readonly owner: string
  /** Template volume name -> id of a kept volume of the owner's to mount instead of a new one. */
  readonly reuseVolumes?: Readonly<Record<string, string>>
}

/**
 * A space as every node shows it: its record (what users asked for) with its owner node's
 * status (what that node sees; `pending` until it reports), its id, and when either last changed.
 */
export interface SpaceView extends Space, SpaceStatus {
  /** Its creation id (for a space from before creation ids: its name then). */
  readonly id: string
  readonly updatedAt: number
  /** The name its create asked for, when it shows under another (spaceNames.ts). */
  readonly askedAs?: string
  /** Why it shows under another name than the one it was created with. */
  readonly notice?: string
}

/**
 * What users ask of spaces, on any node. A request only writes the space's replicated
 * record (its desired state); the owner node's space actor carries it out when the record
 * reaches it, so a request made while the owner is unreachable waits, shown as pending.
 */
export interface SpacesShape {
  /** Places the space (an alive node in an allowed zone, least loaded) and asks it to run. */
  readonly create: (
    request: CreateSpace
  ) => Effect.Effect<
    SpaceView,
    | SpaceNameInvalid
    | TemplateNotFound
    | SpaceNameTaken
    | NoAliveNodeInZones
    | VolumeNotFound
    | VolumeNotYours
    | VolumeReuseInvalid
    | SpaceQuotaExceeded
    | StoreError
  >
  readonly list: (filter?: { readonly owner?: string }) => Effect.Effect<ReadonlyArray<SpaceView>, StoreError>
  /** By id. */
  readonly get: (id: string) => Effect.Effect<SpaceView, SpaceNotFound | StoreError>
  /** The owner's space that shows as `name`: the address people use (`owner/name`). */
  readonly find: (owner: string, name: string) => Effect.Effect<SpaceView, SpaceNotFound | StoreError>
  readonly start: (
    space: string
  ) => Effect.Effect<SpaceView, SpaceNotFound | SpaceRequestRefused | SpaceQuotaExceeded | StoreError>
  readonly stop: (space: string) => Effect.Effect<SpaceView, SpaceNotFound | SpaceRequestRefused | StoreError>
  readonly delete: (space: string) => Effect.Effect<SpaceView, SpaceNotFound | SpaceRequestRefused | StoreError>
}

export class Spaces extends Context.Tag("knot/Spaces")<Spaces, SpacesShape>() {}
