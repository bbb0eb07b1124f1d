/**
 * A space: one developer's container from a template, run only by its owner node. This
 * record holds what users and placement decide, and nothing the owner node observes (that
 * is the `space-status` record, spaceStatus.ts): a request may be written on any node, and
 * under last-writer-wins a record with two writers loses one's write whenever the two cross.
 */
import { Schema } from "effect"
import { Count, CreationId, EpochMillis, NonEmpty, Slug } from "./fields.ts"

export const spaceKind = "space"

/** What the owner of the space asked for. */
export const SpaceDesired = Schema.Literal("running", "stopped", "deleted")
export type SpaceDesired = typeof SpaceDesired.Type

export const Space = Schema.Struct({
  /**
   * The name its owner asked for. It is an alias, unique among the owner's live spaces; when
   * two creates of one name meet after a partition, the later shows under another name
   * (spaceNames.ts), and this field keeps what was asked.
   */
  name: Slug("a space name"),
  /**
   * Minted by each create (from Effect's Random), so that a space created again under a name
   * never shares the containers or volumes of the one before. Absent on spaces created before
   * knot minted it: those keep the engine names they were given then.
   */
  creation: Schema.optionalWith(CreationId, { exact: true }),
  /** The user id of the developer it belongs to. */
  owner: NonEmpty("the owner"),
  /** When it was created (the creating node's clock): of two creates of one name, the earlier keeps it. */
  createdAt: Schema.optionalWith(EpochMillis("createdAt"), { exact: true }),
  /**
   * Kept volumes of earlier spaces of the same owner that this one mounts instead of new
   * ones: template volume name -> engine volume name. Checked at create (volumes.live.ts).
   */
  reusedVolumes: Schema.optionalWith(Schema.Record({ key: Slug("a volume name"), value: NonEmpty("a volume") }), {
    exact: true
  }),
  /**
   * The container limits its create settled on: the template's, or where it sets none, its
   * owner's quota default (quota.ts). Absent: the template's alone.
   */
  limits: Schema.optionalWith(
    Schema.Struct({
      memoryMb: Schema.optionalWith(Schema.Number, { exact: true }),
      cpus: Schema.optionalWith(Schema.Number, { exact: true })
    }),
    { exact: true }
  ),
  /** The template id it was created from. */
  template: NonEmpty("the template"),
  /** The node that owns it: the only one that ever starts its container. */
  node: NonEmpty("the node"),
  zone: NonEmpty("the zone"),
  desired: SpaceDesired,
  /** Bumped by every change of `desired`, so the owner can tell a new request from one it has handled. */
  generation: Count("generation")
})
export type Space = typeof Space.Type
