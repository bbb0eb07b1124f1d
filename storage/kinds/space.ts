/** A space: one developer's container from a template, run only by its owner node. */
import { Schema } from "effect"
import { Count, NonEmpty, Slug } from "./fields.ts"

/** What the owner of the space asked for. */
export const SpaceDesired = Schema.Literal("running", "stopped", "deleted")
export type SpaceDesired = typeof SpaceDesired.Type

/** What the owner node last saw of the container. */
export const SpaceObserved = Schema.Literal(
  "pending",
  "creating",
  "starting",
  "running",
  "stopping",
  "stopped",
  "deleting",
  "deleted",
  "failed"
)
export type SpaceObserved = typeof SpaceObserved.Type

export const Space = Schema.Struct({
  name: Slug("a space name"),
  /** The user id of the developer it belongs to. */
  owner: NonEmpty("the owner"),
  /** The template id it was created from. */
  template: NonEmpty("the template"),
  /** The node that owns it: the only one that ever starts its container. */
  node: NonEmpty("the node"),
  zone: NonEmpty("the zone"),
  desired: SpaceDesired,
  observed: SpaceObserved,
  /** Why it is in its observed state, when that needs saying (a failure, a refused placement). */
  reason: Schema.optionalWith(Schema.String, { exact: true }),
  /** Bumped by every change of `desired`, so the owner can tell a new request from one it has handled. */
  generation: Count("generation"),
  containerId: Schema.optionalWith(NonEmpty("containerId"), { exact: true })
})
export type Space = typeof Space.Type
