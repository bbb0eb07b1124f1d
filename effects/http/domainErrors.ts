/**
 * Domain errors as API errors: the domain's message is kept word for word (it already says
 * what to do), the status and `code` are chosen here. Used with `Effect.catchTags`.
 */
import type { StoreError } from "../../storage/store.errors.ts"
import { BadRequest, Conflict, Forbidden, Internal, NotFound, Unavailable, Unprocessable } from "./api.errors.ts"

interface Described {
  readonly message: string
}

const as = <E>(make: (fields: { readonly code: string; readonly message: string }) => E, code: string) => (error: Described) =>
  make({ code, message: error.message })

const storeFailed = as((fields) => new Internal(fields), "storage_failure")

/** Every StoreError as a 500. */
export const storeErrors = {
  CorruptRecord: (error: StoreError) => storeFailed(error),
  ClockDriftExceeded: (error: StoreError) => storeFailed(error),
  StorageFailure: (error: StoreError) => storeFailed(error)
} as const

export const spaceNotFound = as((fields) => new NotFound(fields), "space_not_found")
export const spaceNameInvalid = as((fields) => new BadRequest(fields), "space_name_invalid")
export const spaceNameTaken = as((fields) => new Conflict(fields), "space_name_taken")
export const spaceRequestRefused = as((fields) => new Conflict(fields), "space_request_refused")
export const quotaExceeded = as((fields) => new Conflict(fields), "quota_exceeded")
export const noAliveNodeInZones = as((fields) => new Unavailable(fields), "no_alive_node_in_zones")
export const templateNotFound = as((fields) => new NotFound(fields), "template_not_found")
export const templateInvalid = as((fields) => new Unprocessable(fields), "template_invalid")
export const templatesManagedByOrigin = as((fields) => new Conflict(fields), "templates_managed_by_origin")
export const userNotFound = as((fields) => new NotFound(fields), "user_not_found")
export const userNameTaken = as((fields) => new Conflict(fields), "user_name_taken")
export const ownAccount = as((fields) => new Conflict(fields), "own_account")
export const leafNameTaken = as((fields) => new Conflict(fields), "leaf_name_taken")
export const leafNotFound = as((fields) => new NotFound(fields), "leaf_not_found")
export const leafRevoked = as((fields) => new Conflict(fields), "leaf_revoked")
export const tokenNotFound = as((fields) => new NotFound(fields), "token_not_found")
export const volumeNotFound = as((fields) => new NotFound(fields), "volume_not_found")
export const volumeNotYours = as((fields) => new Forbidden(fields), "volume_not_yours")
export const volumeReuseInvalid = as((fields) => new BadRequest(fields), "volume_reuse_invalid")
