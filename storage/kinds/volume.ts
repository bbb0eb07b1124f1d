/**
 * A kept volume (kind `volume`, id: its engine name): one a deleted space's template kept, on
 * the node that ran the space. The owner node writes it when it deletes the space; its owner
 * may mount it in a new space of theirs (on that node) or ask for it to be removed, which the
 * node carries out and then tombstones the record.
 */
import { Schema } from "effect"
import { CreationId, EpochMillis, NonEmpty, Slug } from "./fields.ts"

export const VolumeDesired = Schema.Literal("kept", "deleted")
export type VolumeDesired = typeof VolumeDesired.Type

export const KeptVolume = Schema.Struct({
  /** The user id of the owner of the space it was made for. */
  owner: NonEmpty("the owner"),
  /** The node whose engine holds it. */
  node: NonEmpty("the node"),
  zone: NonEmpty("the zone"),
  /** The template's name for it (`home`). */
  volume: Slug("a volume name"),
  /** The space it was made for: the name it showed under and its id, for people to recognise it. */
  space: Slug("a space name"),
  spaceId: NonEmpty("the space id"),
  creation: Schema.optionalWith(CreationId, { exact: true }),
  keptAt: EpochMillis("keptAt"),
  desired: VolumeDesired
})
export type KeptVolume = typeof KeptVolume.Type
