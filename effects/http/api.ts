/**
 * The node's REST API, declared once: the server implements it (handlers/), the CLI calls it
 * through a client derived from it (cli/client/knotClient.ts), and the OpenAPI document is
 * generated from it.
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { BadRequest, Conflict, Forbidden, Internal, NotFound, PayloadTooLarge, Unavailable, Unprocessable } from "./api.errors.ts"
import {
  AddedLeaf,
  AddLeafRequest,
  ChangeLeafRequest,
  AuditEntryView,
  AuditQueryParams,
  ClusterStatus,
  CreateSpaceRequest,
  CreateTokenRequest,
  CreateUserRequest,
  Health,
  IssuedToken,
  KeptVolumeView,
  LeafParam,
  LeafView,
  QuotaRequest,
  QuotaView,
  SetRoleRequest,
  SpaceParam,
  SpaceView,
  TemplateParam,
  TemplateRequest,
  TemplateView,
  TokenListParams,
  TokenParam,
  TokenView,
  UserParam,
  UserView,
  VolumeParam,
  ZoneView
} from "./api.schemas.ts"
import { knotVersion } from "../version.ts"
import { Authentication } from "./auth/authentication.ts"
import { StreamsGroup } from "./streams/streamsGroup.ts"
import { SshKeysGroup } from "../ssh/sshKeysGroup.ts"
import { SessionsGroup, SignInGroup } from "./auth/sessionsGroup.ts"
import { ClusterFeedGroup } from "./ui/clusterFeedGroup.ts"

export class SpacesGroup extends HttpApiGroup.make("spaces")
  .add(
    HttpApiEndpoint.post("create", "/api/spaces")
      .setPayload(CreateSpaceRequest)
      .addSuccess(SpaceView, { status: 201 })
      .addError(NotFound)
      .addError(Forbidden)
      .addError(Conflict)
      .addError(Unavailable)
  )
  .add(HttpApiEndpoint.get("list", "/api/spaces").addSuccess(Schema.Array(SpaceView)))
  .add(
    HttpApiEndpoint.get("get", "/api/spaces/:owner/:name").setPath(SpaceParam).addSuccess(SpaceView).addError(NotFound)
      .addError(Forbidden)
  )
  .add(
    HttpApiEndpoint.post("start", "/api/spaces/:owner/:name/start").setPath(SpaceParam).addSuccess(SpaceView)
      .addError(NotFound).addError(Forbidden).addError(Conflict)
  )
  .add(
    HttpApiEndpoint.post("stop", "/api/spaces/:owner/:name/stop").setPath(SpaceParam).addSuccess(SpaceView)
      .addError(NotFound).addError(Forbidden).addError(Conflict)
  )
  .add(
    HttpApiEndpoint.del("delete", "/api/spaces/:owner/:name").setPath(SpaceParam).addSuccess(SpaceView)
      .addError(NotFound).addError(Forbidden).addError(Conflict)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Spaces, each at /api/spaces/OWNER/NAME: a user sees and drives their own, an admin all")
{}

export class VolumesGroup extends HttpApiGroup.make("volumes")
  .add(HttpApiEndpoint.get("list", "/api/volumes").addSuccess(Schema.Array(KeptVolumeView)))
  .add(
    HttpApiEndpoint.del("delete", "/api/volumes/:id").setPath(VolumeParam).addSuccess(KeptVolumeView)
      .addError(NotFound).addError(Forbidden)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Kept volumes of deleted spaces: a user sees and removes their own, an admin all")
{}

export class TemplatesGroup extends HttpApiGroup.make("templates")
  .add(
    HttpApiEndpoint.post("put", "/api/templates")
      .setPayload(TemplateRequest)
      .addSuccess(TemplateView)
      .addError(Forbidden)
      .addError(Conflict)
      .addError(Unprocessable)
  )
  .add(HttpApiEndpoint.get("list", "/api/templates").addSuccess(Schema.Array(TemplateView)))
  .add(HttpApiEndpoint.get("get", "/api/templates/:name").setPath(TemplateParam).addSuccess(TemplateView).addError(NotFound))
  .add(
    HttpApiEndpoint.del("delete", "/api/templates/:name").setPath(TemplateParam)
      .addError(Forbidden).addError(NotFound).addError(Conflict)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Templates: everyone reads them, admins create, replace and delete them")
{}

export class UsersGroup extends HttpApiGroup.make("users")
  .add(
    HttpApiEndpoint.post("create", "/api/users").setPayload(CreateUserRequest).addSuccess(UserView, { status: 201 })
      .addError(Forbidden).addError(Conflict)
  )
  .add(HttpApiEndpoint.get("list", "/api/users").addSuccess(Schema.Array(UserView)).addError(Forbidden))
  .add(HttpApiEndpoint.get("me", "/api/users/me").addSuccess(UserView))
  .add(
    HttpApiEndpoint.post("disable", "/api/users/:name/disable").setPath(UserParam).addSuccess(UserView)
      .addError(Forbidden).addError(NotFound).addError(Conflict)
      .annotate(OpenApi.Description, "Their tokens fail on every node at once, and their running spaces stop")
  )
  .add(
    HttpApiEndpoint.post("enable", "/api/users/:name/enable").setPath(UserParam).addSuccess(UserView)
      .addError(Forbidden).addError(NotFound)
  )
  .add(
    HttpApiEndpoint.post("setRole", "/api/users/:name/role").setPath(UserParam).setPayload(SetRoleRequest)
      .addSuccess(UserView).addError(Forbidden).addError(NotFound).addError(Conflict)
  )
  .add(
    HttpApiEndpoint.del("delete", "/api/users/:name").setPath(UserParam).addSuccess(UserView)
      .addError(Forbidden).addError(NotFound).addError(Conflict)
      .annotate(OpenApi.Description, "Their tokens fail at once; their spaces stop and are kept for an admin to remove")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Users: admins manage them; anyone asks who they are")
{}

export class QuotasGroup extends HttpApiGroup.make("quotas")
  .add(HttpApiEndpoint.get("list", "/api/quotas").addSuccess(Schema.Array(QuotaView)).addError(Forbidden))
  .add(
    HttpApiEndpoint.put("setDefault", "/api/quotas/default").setPayload(QuotaRequest).addSuccess(QuotaView)
      .addError(Forbidden)
      .annotate(OpenApi.Description, "The cluster's default, for every field a user's own quota leaves out")
  )
  .add(
    HttpApiEndpoint.put("set", "/api/quotas/users/:name").setPath(UserParam).setPayload(QuotaRequest)
      .addSuccess(QuotaView).addError(Forbidden).addError(NotFound)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Quotas: how many spaces, running spaces, CPUs and memory a user may have (admins)")
{}

export class TokensGroup extends HttpApiGroup.make("tokens")
  .add(
    HttpApiEndpoint.post("create", "/api/tokens").setPayload(CreateTokenRequest).addSuccess(IssuedToken, { status: 201 })
      .addError(Forbidden).addError(NotFound)
  )
  .add(
    HttpApiEndpoint.get("list", "/api/tokens").setUrlParams(TokenListParams).addSuccess(Schema.Array(TokenView))
      .addError(Forbidden)
  )
  .add(
    HttpApiEndpoint.del("revoke", "/api/tokens/:id").setPath(TokenParam).addError(Forbidden).addError(NotFound)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "API tokens: the secret is returned once, by create; only its hash is stored")
{}

export class LeavesGroup extends HttpApiGroup.make("leaves")
  .add(
    HttpApiEndpoint.post("add", "/api/leaves").setPayload(AddLeafRequest).addSuccess(AddedLeaf, { status: 201 })
      .addError(Forbidden).addError(NotFound).addError(Conflict)
  )
  .add(HttpApiEndpoint.get("list", "/api/leaves").addSuccess(Schema.Array(LeafView)).addError(Forbidden))
  .add(
    HttpApiEndpoint.patch("set", "/api/leaves/:name").setPath(LeafParam).setPayload(ChangeLeafRequest).addSuccess(LeafView)
      .addError(BadRequest).addError(Forbidden).addError(NotFound).addError(Conflict)
  )
  .add(
    HttpApiEndpoint.post("revoke", "/api/leaves/:name/revoke").setPath(LeafParam).addSuccess(LeafView)
      .addError(Forbidden).addError(NotFound).addError(Conflict)
  )
  .middleware(Authentication)
  .annotate(
    OpenApi.Description,
    "Leaves the cluster lets join (admins, on a cluster node): add returns the join credential once; set changes a leaf's users or zone in place"
  )
{}

export class EventsGroup extends HttpApiGroup.make("events")
  .add(
    HttpApiEndpoint.get("feed", "/api/events")
      .setUrlParams(Schema.Struct({
        since: Schema.optional(Schema.String).annotations({
          description: "Resume after this cursor (the id of an event received); the Last-Event-ID header does the same"
        })
      }))
      .setHeaders(Schema.Struct({ "last-event-id": Schema.optional(Schema.String) }))
      .addSuccess(HttpApiSchema.Text({ contentType: "text/event-stream" }).annotations({
        description: "Server-Sent Events: `space`, `space-removed`, `template`, `template-removed` (each with the " +
          "thing's current view), `reset` (forget what you had; the state follows) and `synced` (the state is " +
          "complete, changes follow). Ids are cursors to resume from. A feed opened with a browser's session " +
          "cookie ends with `session-ended` when that session ends (revoked, expired, its user removed or disabled)."
      }))
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "The change feed: what the caller may see, pushed as it changes")
{}

export class ClusterGroup extends HttpApiGroup.make("cluster")
  .add(HttpApiEndpoint.get("zones", "/api/zones").addSuccess(Schema.Array(ZoneView)))
  .add(HttpApiEndpoint.get("nodes", "/api/nodes").addSuccess(ClusterStatus))
  .middleware(Authentication)
  .annotate(OpenApi.Description, "This node's view of the cluster: zones, members, their health")
{}

export class DocsGroup extends HttpApiGroup.make("docs")
  .add(
    HttpApiEndpoint.get("openapi", "/api/openapi.json")
      .addSuccess(Schema.Unknown.annotations({ description: "This API's OpenAPI 3.1 document" }))
  )
  .annotate(OpenApi.Description, "The API's own description, without a token: it tells what routes exist, nothing of their data")
{}

export class AdminGroup extends HttpApiGroup.make("admin")
  .add(
    HttpApiEndpoint.get("backup", "/api/admin/backup")
      .addSuccess(HttpApiSchema.Text({ contentType: "application/x-ndjson" }))
      .addError(Forbidden)
      .annotate(OpenApi.Description, "A consistent snapshot of this node's store, with its key pair, for knot admin restore")
  )
  .middleware(Authentication)
{}

export class AuditGroup extends HttpApiGroup.make("audit")
  .add(
    HttpApiEndpoint.get("list", "/api/audit").setUrlParams(AuditQueryParams).addSuccess(Schema.Array(AuditEntryView))
      .addError(Forbidden)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Every write through the API, on any node: who, what, when, from where (admins)")
{}

export class MetricsGroup extends HttpApiGroup.make("metrics")
  .add(
    HttpApiEndpoint.get("metrics", "/metrics")
      .addSuccess(HttpApiSchema.Text({ contentType: "text/plain; version=0.0.4; charset=utf-8" }))
      .addError(Forbidden)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "This node's metrics in the Prometheus text format (admins)")
{}

export class HealthGroup extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("health", "/health").addSuccess(Health))
  .annotate(OpenApi.Description, "Liveness, without a token")
{}

export class KnotApi extends HttpApi.make("knot")
  .add(SpacesGroup)
  .add(VolumesGroup)
  .add(TemplatesGroup)
  .add(UsersGroup)
  .add(TokensGroup)
  .add(QuotasGroup)
  .add(LeavesGroup)
  .add(EventsGroup)
  .add(ClusterGroup)
  .add(DocsGroup)
  .add(AdminGroup)
  .add(AuditGroup)
  .add(MetricsGroup)
  .add(HealthGroup)
  .add(StreamsGroup)
  .add(SshKeysGroup)
  .add(SignInGroup)
  .add(SessionsGroup)
  .add(ClusterFeedGroup)
  .addError(BadRequest)
  .addError(PayloadTooLarge)
  .addError(Internal)
  .annotate(OpenApi.Title, "knot")
  .annotate(OpenApi.Version, knotVersion)
  .annotate(OpenApi.Description, "Developer spaces on your own servers")
{}
