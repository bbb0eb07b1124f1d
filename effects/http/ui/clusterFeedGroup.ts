/** The cluster page's feed, as the API declares it: membership and gossip traffic pushed as Server-Sent Events. */
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Forbidden } from "../api.errors.ts"
import { ClusterStatus, Traffic } from "../api.schemas.ts"
import { Authentication } from "../auth/authentication.ts"

export const ClusterSnapshot = Schema.Struct({
  ...ClusterStatus.fields,
  traffic: Schema.optionalWith(Traffic, { exact: true }),
  /** When the node took it (epoch ms), to tell how long ago "last contact" was. */
  at: Schema.Number
})
export type ClusterSnapshot = typeof ClusterSnapshot.Type

export class ClusterFeedGroup extends HttpApiGroup.make("clusterFeed")
  .add(
    HttpApiEndpoint.get("events", "/api/cluster/events")
      .addSuccess(HttpApiSchema.Text({ contentType: "text/event-stream" }).annotations({
        description: "Server-Sent Events named `cluster`, each a whole ClusterStatus with traffic: at once, pushed " +
          "on any change of a member's state, zone, incarnation, name or spaces, and every 2 s; `session-ended` when the browser session it was opened by ends"
      }))
      .addError(Forbidden)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "This node's view of the cluster, pushed as it changes (admins)")
{}
