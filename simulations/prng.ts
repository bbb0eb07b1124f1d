/**
 * The one source of randomness in a simulation: xoshiro128** seeded through splitmix32, and
 * an Effect `Random` over it so that code asking `Random` for a number draws from the seed.
 * Each consumer (network, fault plan, every node) gets its own stream, derived from the seed
 * and the stream's name, so that one more draw in one place does not shift every other.
 */
import { Chunk, Effect, Random } from "effect"

const splitmix32 = (state: number): [number, number] => {
  const next = (state + 0x9e3779b9) | 0
  let z = next
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return [(z ^ (z >>> 16)) >>> 0, next]
}

/** FNV-1a over the stream's name, so that streams with different names start apart. */
const hashName = (name: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193)
  return h >>> 0
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k))

export class Prng {
  private a: number
  private b: number
  private c: number
  private d: number

  /** `seed` may be any safe integer; both of its 32-bit halves count. */
  constructor(seed: number, stream = "") {
    let s = (seed | 0) ^ Math.floor(seed / 0x100000000) ^ hashName(stream)
    const words: Array<number> = []
    for (let i = 0; i < 4; i++) {
      const [word, next] = splitmix32(s)
      words.push(word)
      s = next
    }
    this.a = words[0]!
    this.b = words[1]!
    this.c = words[2]!
    this.d = words[3]!
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0
    const t = this.b << 9
    this.c ^= this.a
    this.d ^= this.b
    this.b ^= this.c
    this.a ^= this.d
    this.c ^= t
    this.d = rotl(this.d, 11)
    return result
  }

  /** Uniform in [0, 1), 53 bits. */
  nextFloat(): number {
    const high = this.nextU32() >>> 5
    const low = this.nextU32() >>> 6
    return (high * 67108864 + low) / 9007199254740992
  }

  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number {
    return Math.floor(this.nextFloat() * bound)
  }

  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.nextInt(max - min + 1)
  }

  chance(probability: number): boolean {
    return probability > 0 && this.nextFloat() < probability
  }

  pick<A>(items: ReadonlyArray<A>): A {
    if (items.length === 0) throw new RangeError("pick from an empty list")
    return items[this.nextInt(items.length)]!
  }

  /** A new array, Fisher–Yates shuffled. */
  shuffle<A>(items: Iterable<A>): Array<A> {
    const out = Array.from(items)
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1)
      const tmp = out[i]!
      out[i] = out[j]!
      out[j] = tmp
    }
    return out
  }

  /** An independent stream for `name`, drawn from this one. */
  derive(name: string): Prng {
    return new Prng(this.nextU32() * 0x100000000 + this.nextU32(), name)
  }
}

/** Effect's `Random` service drawing from `prng`. */
export const seededRandom = (prng: Prng): Random.Random => ({
  [Random.RandomTypeId]: Random.RandomTypeId,
  next: Effect.sync(() => prng.nextFloat()),
  nextBoolean: Effect.sync(() => prng.nextFloat() < 0.5),
  nextInt: Effect.sync(() => prng.nextInt(Number.MAX_SAFE_INTEGER)),
  nextRange: (min, max) => Effect.sync(() => min + (max - min) * prng.nextFloat()),
  nextIntBetween: (min, max) => Effect.sync(() => min + prng.nextInt(max - min)),
  shuffle: (elements) => Effect.sync(() => Chunk.unsafeFromArray(prng.shuffle(elements)))
})
