/**
 * The errors the API answers with, one class per HTTP status. Every body is
 * `{ _tag, code, message }`: `code` says precisely what went wrong (for scripts), `message`
 * says what to do about it (for people; the CLI prints it as it is).
 */
import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

const body = { code: Schema.String, message: Schema.String }

export class BadRequest extends Schema.TaggedError<BadRequest>()(
  "BadRequest",
  body,
  HttpApiSchema.annotations({ status: 400, description: "The request is malformed or a field is invalid" })
) {}

export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  body,
  HttpApiSchema.annotations({ status: 401, description: "No token, or a token this node does not know" })
) {}

export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  body,
  HttpApiSchema.annotations({ status: 403, description: "Another user's resource, or a route for admins" })
) {}

export class NotFound extends Schema.TaggedError<NotFound>()(
  "NotFound",
  body,
  HttpApiSchema.annotations({ status: 404, description: "No such resource" })
) {}

export class Conflict extends Schema.TaggedError<Conflict>()(
  "Conflict",
  body,
  HttpApiSchema.annotations({ status: 409, description: "The name is taken, or the request is refused in this state" })
) {}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  body,
  HttpApiSchema.annotations({ status: 413, description: "The request body is larger than this node accepts" })
) {}

export class TooManyRequests extends Schema.TaggedError<TooManyRequests>()(
  "TooManyRequests",
  body,
  HttpApiSchema.annotations({ status: 429, description: "Too many failed sign-ins from this address; wait and retry" })
) {}

export class Unprocessable extends Schema.TaggedError<Unprocessable>()(
  "Unprocessable",
  body,
  HttpApiSchema.annotations({ status: 422, description: "Well-formed, but not a valid template" })
) {}

export class Unavailable extends Schema.TaggedError<Unavailable>()(
  "Unavailable",
  body,
  HttpApiSchema.annotations({ status: 503, description: "No node can take the request now" })
) {}

export class Internal extends Schema.TaggedError<Internal>()(
  "Internal",
  body,
  HttpApiSchema.annotations({ status: 500, description: "The node failed; its log says why" })
) {}

export type ApiError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | Conflict
  | PayloadTooLarge
  | TooManyRequests
  | Unprocessable
  | Unavailable
  | Internal
