/**
 * Virtual time. One `VirtualTime` holds the simulation's "now" and every pending timer (a
 * sleeping fiber, a message in flight); the harness moves now to the earliest timer once
 * all fibers have settled. Each node reads it through its own `Clock`, offset by that node's
 * drift, and sleeps on it: nothing waits for real time.
 */
import { Clock, Duration, Effect } from "effect"

interface Timer {
  readonly at: number
  /** How far ahead of now it was set: a node's period, or a frame's latency. */
  readonly delay: number
  /** Breaks ties between timers due at the same instant: first scheduled, first fired. */
  readonly seq: number
  readonly task: () => void
  cancelled: boolean
}

const before = (x: Timer, y: Timer) => x.at < y.at || (x.at === y.at && x.seq < y.seq)

export class VirtualTime {
  private heap: Array<Timer> = []
  private seq = 0
  private nowMs = 0
  private lastDelay = 0

  get now(): number {
    return this.nowMs
  }

  /** The delay the timer fired last was set with. */
  get lastFiredDelay(): number {
    return this.lastDelay
  }

  /** Runs `task` at `at` (never in the past); the returned function cancels it. */
  schedule(at: number, task: () => void): () => void {
    if (!Number.isFinite(at)) return () => undefined
    const due = Math.max(at, this.nowMs)
    const timer: Timer = { at: due, delay: due - this.nowMs, seq: this.seq++, task, cancelled: false }
    this.push(timer)
    return () => {
      timer.cancelled = true
    }
  }

  /** When the next live timer is due, or `undefined` when none is pending. */
  nextAt(): number | undefined {
    this.dropCancelled()
    return this.heap[0]?.at
  }

  /**
   * Advances now to the earliest timer and fires it. Returns false when no timer is pending:
   * with every fiber settled, nothing will ever happen again.
   */
  fireNext(): boolean {
    this.dropCancelled()
    const timer = this.pop()
    if (timer === undefined) return false
    this.nowMs = timer.at
    this.lastDelay = timer.delay
    timer.task()
    return true
  }

  private dropCancelled() {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop()
  }

  // Both sift with a hole rather than swapping pairs: the same moves, without an array per step.
  private push(timer: Timer) {
    const heap = this.heap
    let i = heap.length
    heap.push(timer)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const above = heap[parent]!
      if (!before(timer, above)) break
      heap[i] = above
      i = parent
    }
    heap[i] = timer
  }

  private pop(): Timer | undefined {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    const size = heap.length
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= size) break
      const right = left + 1
      const child = right < size && before(heap[right]!, heap[left]!) ? right : left
      if (!before(heap[child]!, last)) break
      heap[i] = heap[child]!
      i = child
    }
    heap[i] = last
    return top
  }
}

/** A node's `Clock`: virtual now plus its drift; sleeps are timers on the shared virtual time. */
export const nodeClock = (time: VirtualTime, driftMs = 0): Clock.Clock => {
  const millis = () => time.now + driftMs
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    unsafeCurrentTimeNanos: () => BigInt(Math.round(millis() * 1_000_000)),
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanos: Effect.sync(() => BigInt(Math.round(millis() * 1_000_000))),
    sleep: (duration: Duration.Duration) =>
      Effect.async<void>((resume) => {
        const cancel = time.schedule(time.now + Duration.toMillis(duration), () => resume(Effect.void))
        return Effect.sync(cancel)
      })
  }
}
