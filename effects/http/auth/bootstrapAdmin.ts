/**
 * The first start of a new installation on an empty store creates an admin and a token for it,
 * printed once (or taken from KNOT_ADMIN_TOKEN, for unattended installs). A store that holds any
 * user is left alone, so a restart never mints a second admin token.
 *
 * Only the first node of a cluster may generate a token: a node joining a running cluster
 * starts with an empty store too, and a token it minted before gossip brought the cluster's
 * users would be a second admin credential nobody asked for. A token from KNOT_ADMIN_TOKEN is
 * safe on every node: its user ("admin"), that user's account and its token id (all from the
 * secret) are the same records wherever they are written, so replicas merge into one.
 */
import { Config, Effect, Option, Redacted } from "effect"
import type { Store } from "../../../storage/store.ts"
import type { StoreError } from "../../../storage/store.errors.ts"
import type { IssuedToken } from "../api.schemas.ts"
import { AccountsLive } from "./accounts.ts"
import type { AdminTokenTooShort } from "./auth.errors.ts"
import type { AuthenticatedUser } from "./currentUser.ts"
import type { SecureRandom } from "./secureRandom.ts"
import { bootstrapAccountOf } from "./tokenSecret.ts"
import { Tokens } from "./tokens.ts"
import { Users } from "./users.ts"

export const adminTokenVariable = "KNOT_ADMIN_TOKEN"

export interface BootstrapOptions {
  /** The admin's token; absent: KNOT_ADMIN_TOKEN from the environment, else a generated one. */
  readonly adminToken?: Redacted.Redacted
  /** Default "admin". */
  readonly adminName?: string
  /**
   * Whether this node may generate a token when none is given: true for a standalone node and
   * for the explicit first node of a cluster (`knot server --init`). Default true.
   */
  readonly mayGenerate?: boolean
}

export type BootstrapOutcome =
  | { readonly _tag: "AlreadyInitialized" }
  /** An empty store on a node that may not generate: it waits for its cluster's users. */
  | { readonly _tag: "JoiningCluster" }
  | {
    readonly _tag: "Created"
    readonly user: AuthenticatedUser
    readonly token: IssuedToken
    readonly source: "generated" | "environment"
  }

export const bootstrapAdmin = (
  options: BootstrapOptions = {}
): Effect.Effect<BootstrapOutcome, AdminTokenTooShort | StoreError, Store | SecureRandom> =>
  Effect.gen(function*() {
    const users = yield* Users
    const tokens = yield* Tokens
    if (!(yield* users.isEmpty)) return { _tag: "AlreadyInitialized" } as const
    const given = options.adminToken === undefined
      ? Option.getOrUndefined(yield* Effect.orDie(Config.option(Config.redacted(adminTokenVariable))))
      : options.adminToken
    if (given === undefined && options.mayGenerate === false) return { _tag: "JoiningCluster" } as const
    const name = options.adminName ?? "admin"
    // The store was just seen without users, and only the starting node bootstraps.
    const account = given === undefined ? undefined : bootstrapAccountOf(Redacted.value(given))
    const user = yield* Effect.catchTag(users.create(name, "admin", account), "UserNameTaken", Effect.die)
    const token = given === undefined
      ? yield* tokens.issue({ user: user.id, name: "bootstrap" })
      : yield* tokens.adopt({ user: user.id, name: "bootstrap", secret: Redacted.value(given) })
    return { _tag: "Created", user, token, source: given === undefined ? "generated" : "environment" } as const
  }).pipe(Effect.provide(AccountsLive))

const joiningMessage = "this node creates no admin: it takes its users from the cluster it joins. " +
  "The first node of a new cluster is started with `knot server --init` (or with KNOT_ADMIN_TOKEN set)"

/** What the server prints after bootstrapping; undefined when there was nothing to do. */
export const bootstrapMessage = (outcome: BootstrapOutcome, serverUrl?: string): string | undefined => {
  if (outcome._tag === "AlreadyInitialized") return undefined
  if (outcome._tag === "JoiningCluster") return joiningMessage
  if (outcome.source === "environment") {
    return `created admin user "${outcome.user.name}" with the token from ${adminTokenVariable}`
  }
  return [
    `created admin user "${outcome.user.name}"; its token, shown only this once:`,
    "",
    `    ${outcome.token.secret}`,
    "",
    `log in with: knot login ${serverUrl === undefined ? "" : `--server ${serverUrl} `}--token ${outcome.token.secret}`
  ].join("\n")
}
