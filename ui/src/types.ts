/** The API's shapes, as the page uses them: type-only imports of the node's own schemas. */
export type {
  ClusterStatus,
  Health,
  KeptVolumeView,
  LeafView,
  SpaceView,
  TemplateView,
  TokenView,
  UserView
} from "../../effects/http/api.schemas.ts"
export type { SessionView, SignedInView } from "../../effects/http/auth/sessionsGroup.ts"
export type { SshKeyView } from "../../effects/ssh/sshKeysGroup.ts"
