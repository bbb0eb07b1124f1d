/**
 * What the owner node last saw of a space's container (kind `space-status`, the same id as
 * the space). Only the space's owner node writes it, and it never writes the space record's
 * fields, so a user's request and the owner's report never overwrite each other.
 */
import { Schema } from "effect"
import { Count, NonEmpty } from "./fields.ts"

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

export const SpaceStatus = Schema.Struct({
  observed: SpaceObserved,
  /** Why it is in its observed state, when that needs saying (a failure, an engine that does not answer). */
  reason: Schema.optionalWith(Schema.String, { exact: true }),
  containerId: Schema.optionalWith(NonEmpty("containerId"), { exact: true }),
  /**
   * The space record's request generation the owner had acted on: a status of a lower one
   * than a request's says nothing yet of that request (a failure may be the previous try's).
   * Absent from nodes before it was added.
   */
  handled: Schema.optionalWith(Count("handled"), { exact: true })
})
export type SpaceStatus = typeof SpaceStatus.Type
