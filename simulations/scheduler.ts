/**
 * Runs every fiber of a simulation on one queue, in the order the tasks were scheduled.
 * Effect's default scheduler hands work to microtasks and `setTimeout`, whose interleaving
 * with real time would leak into the run; here nothing runs unless the harness drains the
 * queue, so "all fibers have settled" is simply "the queue is empty".
 */
import { Effect, type Exit, RuntimeFlags, RuntimeFlagsPatch, type Scheduler } from "effect"
import type { VirtualTime } from "./clock.ts"

/** Ops a fiber runs before it yields to the others, as Effect's default does. */
const opsBeforeYield = 2048

export class SimScheduler implements Scheduler.Scheduler {
  private tasks: Array<Scheduler.Task> = []
  private head = 0
  /** Tasks run since the start, a cheap progress measure. */
  executed = 0
  /** Effect ops run since the start: the runtime asks whether to yield before every one. */
  ops = 0

  shouldYield(fiber: Parameters<Scheduler.Scheduler["shouldYield"]>[0]): number | false {
    this.ops++
    return fiber.currentOpCount > opsBeforeYield ? 0 : false
  }

  scheduleTask(task: Scheduler.Task): void {
    this.tasks.push(task)
  }

  /** Runs tasks (and the tasks they schedule) until none is left. */
  drain(): void {
    while (this.head < this.tasks.length) {
      const task = this.tasks[this.head]!
      this.head++
      this.executed++
      task()
      if (this.head > 4096 && this.head * 2 > this.tasks.length) {
        this.tasks = this.tasks.slice(this.head)
        this.head = 0
      }
    }
    this.tasks.length = 0
    this.head = 0
  }
}

/**
 * Effect counts every fiber's start and end in its runtime metrics (four metric updates
 * with a tag lookup per fiber), which a simulation never reads: its fibers, and those they
 * fork, run without.
 */
const withoutFiberMetrics = Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.disable(RuntimeFlags.RuntimeMetrics))

export type DriveResult<A, E> =
  | { readonly _tag: "Done"; readonly exit: Exit.Exit<A, E> }
  /** Every fiber waits and no timer is pending: nothing can ever happen again. */
  | { readonly _tag: "Stalled" }

/**
 * Runs `effect` to its end on `scheduler`, moving `time` to the next timer whenever every
 * fiber has settled. Synchronous: no real time passes between steps, and nothing outside
 * this loop (no promise, no real timer) can interleave with the simulation. `afterTimer`
 * runs after each timer fires; it must only read.
 */
export const drive = <A, E>(
  effect: Effect.Effect<A, E>,
  scheduler: SimScheduler,
  time: VirtualTime,
  afterTimer?: () => void
): DriveResult<A, E> => {
  const roots = forkedRoots()
  const before = roots === undefined ? undefined : new Set(roots)
  try {
    const fiber = Effect.runFork(withoutFiberMetrics(effect), { scheduler })
    for (;;) {
      scheduler.drain()
      const exit = fiber.unsafePoll()
      if (exit !== null) return { _tag: "Done", exit }
      if (!time.fireNext()) return { _tag: "Stalled" }
      afterTimer?.()
    }
  } finally {
    // The fibers still waiting when the run ends (a node's timers, its readers of queues
    // that will never be written again) wait on this run's own time and queues, which nobody
    // holds any more, but Effect's global fiber scope holds every fiber forked with `forkIn`
    // until it ends: let go of them, or a thread running seed after seed keeps every run.
    if (roots !== undefined && before !== undefined) {
      for (const root of roots) if (!before.has(root)) roots.delete(root)
    }
  }
}

/**
 * The fibers Effect's global fiber scope holds (`forkIn` forks there), read from Effect's
 * global store without creating anything; undefined if this version of Effect keeps them
 * elsewhere, in which case nothing is let go.
 */
export const forkedRoots = (): Set<unknown> | undefined => {
  const store = (globalThis as { readonly ["effect/GlobalValue"]?: Map<unknown, unknown> })["effect/GlobalValue"]
  const scope = store?.get(Symbol.for("effect/FiberScope/Global")) as { readonly roots?: unknown } | undefined
  return scope?.roots instanceof Set ? scope.roots : undefined
}
