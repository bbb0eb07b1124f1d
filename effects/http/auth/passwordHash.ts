/**
 * Password hashes with scrypt from node:crypto: memory-hard, so a copied store is slow to
 * attack with GPUs, and it needs no native module of ours. Parameters are kept in the hash,
 * so a later version can raise them while old hashes still verify.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"
import { Effect } from "effect"

/** 2^15 × 8 × 128 B = 32 MiB and about 100 ms per hash on one core: dear for a guesser, cheap for a sign-in. */
const cost = { N: 2 ** 15, r: 8, p: 1 } as const
const KEY_BYTES = 32
const SALT_BYTES = 16

export const MIN_PASSWORD_LENGTH = 8
export const MAX_PASSWORD_LENGTH = 1024

const derive = (password: string, salt: Buffer, N: number, r: number, p: number) =>
  Effect.async<Buffer>((resume) => {
    // scrypt's default maxmem (32 MiB) is exactly what N=2^15, r=8 needs; leave room.
    scrypt(password.normalize("NFC"), salt, KEY_BYTES, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (error, key) =>
      resume(error === null ? Effect.succeed(key) : Effect.die(error)))
  })

export const hashPassword = (password: string): Effect.Effect<string> =>
  Effect.gen(function*() {
    const salt = randomBytes(SALT_BYTES)
    const key = yield* derive(password, salt, cost.N, cost.r, cost.p)
    return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64url"), key.toString("base64url")].join("$")
  })

/** A hash to compare against when the user has none, so that a wrong name costs as long as a wrong password. */
export const decoyHash = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

export const verifyPassword = (password: string, hash: string): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    const [scheme, N, r, p, salt, key] = hash.split("$")
    if (scheme !== "scrypt" || key === undefined || salt === undefined) return false
    const expected = Buffer.from(key, "base64url")
    const actual = yield* derive(password, Buffer.from(salt, "base64url"), Number(N), Number(r), Number(p))
    return actual.length === expected.length && timingSafeEqual(actual, expected)
  })
