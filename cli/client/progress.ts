/**
 * Progress on stderr while the CLI waits (a space starting): a spinner on a terminal, one line
 * per change of status otherwise (CI logs, pipes), so stdout stays clean for `--json`.
 */
import { Console, Context, Duration, Effect, Layer, Ref, Schedule } from "effect"

export interface ProgressShape {
  /**
   * Shows `label` with the latest status while `use` runs; `use` reports each status through
   * `report`. The spinner's line is cleared when `use` ends.
   */
  readonly during: <A, E, R>(
    label: string,
    use: (report: (status: string) => Effect.Effect<void>) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E, R>
}

export class Progress extends Context.Tag("knot/cli/Progress")<Progress, ProgressShape>() {
  /** A line on stderr for every new status. */
  static readonly lines: Layer.Layer<Progress> = Layer.succeed(Progress, {
    during: (label, use) =>
      Effect.flatMap(Ref.make<string | undefined>(undefined), (last) =>
        use((status) =>
          Effect.flatMap(Ref.getAndSet(last, status), (previous) =>
            previous === status ? Effect.void : Console.error(`${label}: ${status}`))))
  })

  /** A spinner redrawn in place on the terminal. */
  static readonly spinner = (stream: { readonly write: (chunk: string) => boolean }): Layer.Layer<Progress> =>
    Layer.succeed(Progress, {
      during: (label, use) =>
        Effect.gen(function*() {
          const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
          const state = yield* Ref.make({ frame: 0, status: "" })
          const draw = Effect.flatMap(Ref.getAndUpdate(state, (s) => ({ ...s, frame: (s.frame + 1) % frames.length })), (s) =>
            Effect.sync(() => stream.write(`\r\x1b[K${frames[s.frame]} ${label}${s.status === "" ? "" : `: ${s.status}`}`)))
          const clear = Effect.sync(() => stream.write("\r\x1b[K"))
          return yield* Effect.scoped(
            Effect.gen(function*() {
              yield* Effect.addFinalizer(() => clear)
              yield* Effect.forkScoped(Effect.repeat(draw, Schedule.spaced(Duration.millis(80))))
              return yield* use((status) => Ref.update(state, (s) => ({ ...s, status })))
            })
          )
        })
    })

  /** The spinner when stderr is a terminal, lines otherwise. */
  static readonly live: Layer.Layer<Progress> = Layer.unwrapEffect(
    Effect.sync(() => (process.stderr.isTTY ? Progress.spinner(process.stderr) : Progress.lines))
  )
}
