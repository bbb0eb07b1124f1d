/**
 * What the change feed (`GET /api/events`) says, one Server-Sent Event each: the event's
 * name is the tag, its data the JSON of the whole value, its id (when it has one) the cursor
 * to resume after it.
 */
import { Schema } from "effect"
import { SpaceView, TemplateView } from "./api.schemas.ts"

export const FeedEvent = Schema.Union(
  Schema.TaggedStruct("space", { space: SpaceView }),
  Schema.TaggedStruct("space-removed", { id: Schema.String, owner: Schema.String, name: Schema.String }),
  Schema.TaggedStruct("template", { template: TemplateView }),
  Schema.TaggedStruct("template-removed", { name: Schema.String }),
  /** Forget what earlier events said: the state is sent again from scratch. */
  Schema.TaggedStruct("reset", {}),
  /** Everything up to now has been sent; what follows happens from here on. */
  Schema.TaggedStruct("synced", {})
)
export type FeedEvent = typeof FeedEvent.Type

export const decodeFeedEvent = Schema.decodeUnknownEither(Schema.parseJson(FeedEvent))

export const encodeFeedEvent = Schema.encodeSync(Schema.parseJson(FeedEvent))
