/** What the API reads and writes on the wire. Requests are decoded by these; a mismatch is a 400. */
import { Schema } from "effect"
import { EpochMillis, Label, NonEmpty, Slug } from "../../storage/kinds/fields.ts"
import { OriginLinkStatus } from "../../actors/node/originLink.ts"
import { NodeMode } from "../../storage/kinds/node.ts"
import { Space } from "../../storage/kinds/space.ts"
import { SpaceStatus } from "../../storage/kinds/spaceStatus.ts"
import { Template } from "../../storage/kinds/template.ts"
import { UserRole } from "../../storage/kinds/user.ts"
import { KeptVolume } from "../../storage/kinds/volume.ts"
import { Quota } from "../../storage/kinds/quota.ts"
import { AuditEntry } from "../../storage/kinds/audit.ts"

/** A field a request does not know is refused, naming it, rather than dropped: it may be a typo. */
const strict = { parseOptions: { onExcessProperty: "error" } } as const

export const CreateSpaceRequest = Schema.Struct({
  name: Slug("a space name"),
  template: NonEmpty("the template"),
  /** Template volume name -> id of one of the caller's kept volumes (`GET /api/volumes`) to mount instead. */
  reuseVolumes: Schema.optionalWith(Schema.Record({ key: Schema.String, value: NonEmpty("a kept volume id") }), {
    exact: true
  })
}).annotations(strict)
export type CreateSpaceRequest = typeof CreateSpaceRequest.Type

/**
 * Responses carry the records' encoded shape without their field rules: the domain checked
 * them when it wrote them, and on a list of 1 000 spaces checking again costs more than the
 * rest of the encoding.
 */
export const SpaceView = Schema.extend(
  Schema.encodedSchema(Space),
  Schema.extend(
    Schema.encodedSchema(SpaceStatus),
    Schema.Struct({
      id: Schema.String,
      updatedAt: Schema.Number,
      askedAs: Schema.optionalWith(Schema.String, { exact: true }),
      notice: Schema.optionalWith(Schema.String, { exact: true })
    })
  )
)
export type SpaceView = typeof SpaceView.Type

/** A space's one address: its owner's user id and the name it shows under (`/api/spaces/:owner/:name`). */
export const SpaceParam = Schema.Struct({ owner: Schema.String, name: Schema.String })

export const KeptVolumeView = Schema.extend(Schema.encodedSchema(KeptVolume), Schema.Struct({ id: Schema.String }))
export type KeptVolumeView = typeof KeptVolumeView.Type

/** A kept volume by its id (its engine name). */
export const VolumeParam = Schema.Struct({ id: Schema.String })

/** A template as written by people: the lists and tables they leave out are empty. */
export const TemplateRequest = Schema.Struct({
  ...Template.fields,
  env: Schema.optionalWith(Template.fields.env, { exact: true, default: () => ({}) }),
  volumes: Schema.optionalWith(Template.fields.volumes, { exact: true, default: () => [] }),
  zones: Schema.optionalWith(Template.fields.zones, { exact: true, default: () => [] })
}).annotations(strict)
export type TemplateRequest = typeof TemplateRequest.Type

export const TemplateView = Schema.extend(Schema.encodedSchema(Template), Schema.Struct({ updatedAt: Schema.Number }))
export type TemplateView = typeof TemplateView.Type

export const TemplateParam = Schema.Struct({ name: Schema.String })

/** A user's id is their name: a name is then unique on every node without coordination. */
export const CreateUserRequest = Schema.Struct({
  name: Slug("a user name"),
  role: Schema.optionalWith(UserRole, { exact: true, default: () => "user" as const })
}).annotations(strict)
export type CreateUserRequest = typeof CreateUserRequest.Type

export const UserView = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  role: UserRole,
  /** Present on an account an admin disabled. */
  disabled: Schema.optionalWith(Schema.Literal(true), { exact: true })
})

export const UserParam = Schema.Struct({ name: Schema.String })

export const AuditQueryParams = Schema.Struct({
  /** Epoch ms: only entries at or after it. */
  since: Schema.optionalWith(Schema.NumberFromString, { exact: true }),
  user: Schema.optionalWith(Schema.String, { exact: true })
})

export const AuditEntryView = Schema.encodedSchema(AuditEntry)
export type AuditEntryView = typeof AuditEntryView.Type

/** A quota to set: every field it leaves out sets no bound (see storage/kinds/quota.ts). */
export const QuotaRequest = Quota.annotations(strict)

export const QuotaView = Schema.extend(
  Schema.Struct({
    /** A user's name, or `*`: the cluster's default, for what a user's own quota leaves out. */
    user: Schema.String
  }),
  Schema.encodedSchema(Quota)
)
export type QuotaView = typeof QuotaView.Type

export const SetRoleRequest = Schema.Struct({ role: UserRole }).annotations(strict)

export const TokenListParams = Schema.Struct({
  /** Admins: every user's tokens, not only their own. */
  all: Schema.optionalWith(Schema.Literal("true", "false"), { exact: true })
})
export type UserView = typeof UserView.Type

export const CreateTokenRequest = Schema.Struct({
  /** The user (id or name) it acts as; absent: the caller. Admins only for someone else. */
  user: Schema.optionalWith(NonEmpty("the user"), { exact: true }),
  name: Schema.optionalWith(Label("a token name"), { exact: true })
}).annotations(strict)
export type CreateTokenRequest = typeof CreateTokenRequest.Type

export const TokenView = Schema.Struct({
  id: Schema.String,
  user: Schema.String,
  name: Schema.optionalWith(Schema.String, { exact: true }),
  createdAt: EpochMillis("createdAt")
})
export type TokenView = typeof TokenView.Type

/** The only response that ever carries a token's secret. */
export const IssuedToken = Schema.Struct({
  ...TokenView.fields,
  secret: Schema.String
})
export type IssuedToken = typeof IssuedToken.Type

export const TokenParam = Schema.Struct({ id: Schema.String })

/** Its users default to none: such a leaf receives the cluster's templates and runs no one's spaces. */
export const AddLeafRequest = Schema.Struct({
  name: Slug("a leaf name"),
  zone: Schema.optionalWith(Slug("a zone"), { exact: true }),
  users: Schema.optionalWith(Schema.Array(Slug("a user name")), { exact: true, default: () => [] })
}).annotations(strict)
export type AddLeafRequest = typeof AddLeafRequest.Type

/** A leaf's users or zone, changed in place: each field given replaces the leaf's. */
export const ChangeLeafRequest = Schema.Struct({
  zone: Schema.optionalWith(Slug("a zone"), { exact: true }),
  users: Schema.optionalWith(Schema.Array(Slug("a user name")), { exact: true })
}).annotations(strict)
export type ChangeLeafRequest = typeof ChangeLeafRequest.Type

/** A leaf as the API shows it: never its credential, nor the verifier stored for it. */
export const LeafView = Schema.Struct({
  name: Schema.String,
  zone: Schema.optionalWith(Schema.String, { exact: true }),
  users: Schema.Array(Schema.String),
  createdAt: EpochMillis("createdAt"),
  /** The node that joined with its credential, once one has. */
  node: Schema.optionalWith(Schema.String, { exact: true }),
  revokedAt: Schema.optionalWith(EpochMillis("revokedAt"), { exact: true }),
  /** waiting: no node has joined with its credential yet. */
  state: Schema.Literal("waiting", "joined", "revoked")
})
export type LeafView = typeof LeafView.Type

/** The only response that ever carries a leaf's join credential. */
export const AddedLeaf = Schema.Struct({
  leaf: LeafView,
  credential: Schema.String
})
export type AddedLeaf = typeof AddedLeaf.Type

export const LeafParam = Schema.Struct({ name: Schema.String })

export const MemberState = Schema.Literal("joining", "alive", "suspect", "dead", "leaving", "left")

export const MemberView = Schema.Struct({
  id: Schema.String,
  /** `[server] name` of the node, once its record has arrived. */
  name: Schema.optionalWith(Schema.String, { exact: true }),
  zone: Schema.String,
  mode: NodeMode,
  state: MemberState,
  incarnation: Schema.Number,
  /** When the answering node last had a message from it; absent while it has had none. */
  lastContact: Schema.optionalWith(Schema.Number, { exact: true }),
  spaces: Schema.Number,
  /** A leaf linked to another cluster node, whose record gives its state: that node's id. */
  via: Schema.optionalWith(Schema.String, { exact: true })
})
export type MemberView = typeof MemberView.Type

/** healthy: every member alive; degraded: some; down: none. */
export const ZoneHealth = Schema.Literal("healthy", "degraded", "down")
export type ZoneHealth = typeof ZoneHealth.Type

export const ZoneView = Schema.Struct({
  name: Schema.String,
  health: ZoneHealth,
  alive: Schema.Number,
  total: Schema.Number,
  members: Schema.Array(MemberView)
})
export type ZoneView = typeof ZoneView.Type

export const ClusterStatus = Schema.Struct({
  /** The id of the node that answered. */
  self: Schema.String,
  members: Schema.Array(MemberView),
  /** Only on a leaf: its link to its origin. */
  origin: Schema.optionalWith(OriginLinkStatus, { exact: true })
})
export type ClusterStatus = typeof ClusterStatus.Type

export const EngineStatus = Schema.Struct({
  status: Schema.Literal("up", "down"),
  reason: Schema.optionalWith(Schema.String, { exact: true })
})
export type EngineStatus = typeof EngineStatus.Type

/** Byte totals of a cluster or leaf node's network since it started (transport/hyperswarm/trafficMetrics.ts). */
export const Traffic = Schema.Struct({
  frameBytesSent: Schema.Number,
  frameBytesReceived: Schema.Number,
  wireBytesSent: Schema.Number,
  wireBytesReceived: Schema.Number
})

export const Health = Schema.Struct({
  /** degraded: the API answers but the container engine does not. */
  status: Schema.Literal("ok", "degraded"),
  node: Schema.String,
  mode: NodeMode,
  zone: Schema.String,
  /** Stored records kept out of every list and lookup because they do not decode. */
  quarantined: Schema.Number,
  /** Records peers sent that this node refused: unknown kinds, or outside a leaf's authority. */
  refused: Schema.Number,
  engine: Schema.optionalWith(EngineStatus, { exact: true }),
  /** Absent on a standalone node, which has no network. */
  traffic: Schema.optionalWith(Traffic, { exact: true }),
  /** Where the node's SSH gateway listens; absent while it runs none (`[ssh] listen = ""`, or its port was taken). */
  ssh: Schema.optionalWith(Schema.Struct({ host: Schema.String, port: Schema.Number }), { exact: true })
})
export type Health = typeof Health.Type
