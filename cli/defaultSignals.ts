/**
 * A simulation runs synchronously, so while it runs the event loop gets no turn. The runtime's
 * SIGINT and SIGTERM listeners interrupt the main fiber from the event loop, so they would
 * only run once the run had ended: Ctrl-C would wait minutes for a thousand-node run. While
 * `effect` runs, those signals take their default action instead, and the process ends at once
 * (exit status 130 or 143). A run holds nothing that must be closed: its trace is written
 * after it, and fuzz helpers are threads of this process.
 */
import { Effect } from "effect"

const signals = ["SIGINT", "SIGTERM"] as const

type Listener = (...args: Array<unknown>) => void

export const withDefaultSignals = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() =>
      signals.map((signal) => {
        const listeners = process.listeners(signal) as Array<Listener>
        for (const listener of listeners) process.removeListener(signal, listener)
        return [signal, listeners] as const
      })
    ),
    () => effect,
    (held) =>
      Effect.sync(() => {
        for (const [signal, listeners] of held) for (const listener of listeners) process.on(signal, listener)
      })
  )
