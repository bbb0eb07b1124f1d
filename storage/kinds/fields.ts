/**
 * Field rules shared by the record kinds, each failing with a message that says what to
 * change.
 */
import { Schema } from "effect"

const dnsLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

/** A SHA-256 digest as 64 lowercase hex digits (what a token's and a leaf's secrets are kept as). */
export const sha256Hex = /^[0-9a-f]{64}$/

/** A lowercase DNS label: usable in container names, host names and URLs as it is. */
export const Slug = (what: string) =>
  Schema.String.pipe(
    Schema.filter((value) =>
      dnsLabel.test(value) ||
      `${what} must be 1 to 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit (got ${
        JSON.stringify(value)
      })`
    )
  )

export const NonEmpty = (what: string) =>
  Schema.String.pipe(Schema.filter((value) => value.trim().length > 0 || `${what} must not be empty`))

export const AbsolutePath = (what: string) =>
  Schema.String.pipe(
    Schema.filter((value) => value.startsWith("/") || `${what} must be an absolute path (got ${JSON.stringify(value)})`)
  )

export const Count = (what: string) =>
  Schema.Number.pipe(
    Schema.filter((value) =>
      (Number.isSafeInteger(value) && value >= 0) || `${what} must be a whole number, 0 or more (got ${value})`
    )
  )

/** Milliseconds since the Unix epoch (from Effect's Clock). */
export const EpochMillis = (what: string) =>
  Schema.Number.pipe(
    Schema.filter((value) =>
      (Number.isSafeInteger(value) && value >= 0) || `${what} must be a time in milliseconds since 1970 (got ${value})`
    )
  )

const creationIdPattern = /^[0-9a-f]{16}$/

/** 16 lowercase hex digits: never contains ".", so names joined with "." from it cannot collide. */
export const CreationId = Schema.String.pipe(
  Schema.filter((value) =>
    creationIdPattern.test(value) || `a creation id must be 16 lowercase hex digits (got ${JSON.stringify(value)})`
  )
)

export const BoundedInteger = (what: string, min: number, max: number) =>
  Schema.Number.pipe(
    Schema.filter((value) =>
      (Number.isSafeInteger(value) && value >= min && value <= max) ||
      `${what} must be a whole number from ${min} to ${max} (got ${value})`
    )
  )

export const BoundedNumber = (what: string, min: number, max: number) =>
  Schema.Number.pipe(
    Schema.filter((value) =>
      (Number.isFinite(value) && value >= min && value <= max) || `${what} must be a number from ${min} to ${max} (got ${value})`
    )
  )

// Control characters (C0, DEL, C1) would rewrite a terminal that prints the text.
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/

/** A label people give (a token's name): printable, 1 to 100 characters. */
export const Label = (what: string) =>
  Schema.String.pipe(
    Schema.filter((value) =>
      value.trim().length === 0
        ? `${what} must not be empty`
        : value.length > 100
        ? `${what} must be at most 100 characters (got ${value.length})`
        : controlCharacter.test(value)
        ? `${what} must not contain control characters`
        : true
    )
  )
