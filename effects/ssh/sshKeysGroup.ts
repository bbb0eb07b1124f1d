/** The API of SSH keys on users' profiles, as the node's HttpApi declares it. */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Label, NonEmpty } from "../../storage/kinds/fields.ts"
import { BadRequest, Conflict, Forbidden, NotFound } from "../http/api.errors.ts"
import { Authentication } from "../http/auth/authentication.ts"

const strict = { parseOptions: { onExcessProperty: "error" } } as const

export const AddSshKeyRequest = Schema.Struct({
  /** One line of a `.pub` file: `TYPE BASE64 [COMMENT]`. */
  publicKey: Schema.String,
  /** Absent: the key's comment, or its type. */
  name: Schema.optionalWith(Label("a key name"), { exact: true }),
  /** The user (id) whose profile gets it; absent: the caller. Admins only for someone else. */
  user: Schema.optionalWith(NonEmpty("the user"), { exact: true })
}).annotations(strict)
export type AddSshKeyRequest = typeof AddSshKeyRequest.Type

export const SshKeyView = Schema.Struct({
  /** The SHA-256 of the key as 64 hex digits: the id in `DELETE /api/ssh-keys/:id`. */
  id: Schema.String,
  user: Schema.String,
  name: Schema.String,
  type: Schema.String,
  /** As `ssh-keygen -l` prints it: `SHA256:...`. */
  fingerprint: Schema.String,
  addedAt: Schema.Number
})
export type SshKeyView = typeof SshKeyView.Type

export const SshKeyListParams = Schema.Struct({
  /** Admins: this user's keys. */
  user: Schema.optionalWith(Schema.String, { exact: true }),
  /** Admins: every user's keys. */
  all: Schema.optionalWith(Schema.Literal("true", "false"), { exact: true })
})

export class SshKeysGroup extends HttpApiGroup.make("sshKeys")
  .add(
    HttpApiEndpoint.post("add", "/api/ssh-keys").setPayload(AddSshKeyRequest).addSuccess(SshKeyView, { status: 201 })
      .addError(BadRequest).addError(Forbidden).addError(NotFound).addError(Conflict)
  )
  .add(
    HttpApiEndpoint.get("list", "/api/ssh-keys").setUrlParams(SshKeyListParams).addSuccess(Schema.Array(SshKeyView))
      .addError(Forbidden)
  )
  .add(
    HttpApiEndpoint.del("remove", "/api/ssh-keys/:id").setPath(Schema.Struct({ id: Schema.String })).addSuccess(SshKeyView)
      .addError(Forbidden).addError(NotFound)
  )
  .middleware(Authentication)
  .annotate(
    OpenApi.Description,
    "SSH public keys on users' profiles: every node's SSH gateway signs their holders in (a user their own, an admin anyone's)"
  )
{}
