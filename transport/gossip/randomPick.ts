/**
 * A few members drawn at random: as many draws as members picked (a partial Fisher-Yates
 * shuffle), where shuffling them all would cost a draw per member of the cluster every time.
 */
import { Effect, Random } from "effect"

/** Up to `count` of `items`, each equally likely; `items` is reordered in place. */
export const pickSome = <A>(items: Array<A>, count: number): Effect.Effect<Array<A>> =>
  Effect.gen(function*() {
    const picked = Math.min(count, items.length)
    for (let i = 0; i < picked; i++) {
      const j = yield* Random.nextIntBetween(i, items.length)
      const chosen = items[j]!
      items[j] = items[i]!
      items[i] = chosen
    }
    return items.slice(0, picked)
  })
