/**
 * Where a run's real time goes. The harness moves in steps: a timer fires (a frame lands, or a
 * node's sleep ends) and every fiber runs until all have settled. Each step is timed and charged
 * to what started it, a frame by its kind and a sleep by its length (a node's period names its
 * loop), with the Effect ops it ran: `test/bench/simulationCost.ts` prints the table.
 */
import type { VirtualTime } from "./clock.ts"
import type { SimNetwork } from "./network.ts"
import type { SimScheduler } from "./scheduler.ts"
import type { Trace } from "./trace.ts"

export interface StepCost {
  count: number
  /** Real milliseconds. */
  ms: number
  ops: number
}

/**
 * Per cause of a step, what its steps cost in all. Causes: `start` (the nodes' start, up to
 * the first timer), a frame's kind, a frame lost as it lands, and `sleep N ms`, whose length
 * names the loop that slept (a node's period, the harness's checks).
 */
export type StepCosts = Map<string, StepCost>

/**
 * What `drive` calls after each timer fires. The time since its last call (the step that timer
 * ended, and this firing) goes to the cause of the step before: the start, at first.
 */
export const stepCostMeter = (costs: StepCosts, scheduler: SimScheduler, time: VirtualTime, network: SimNetwork, trace: Trace) => {
  let cause = "start"
  let since = performance.now()
  let opsBefore = scheduler.ops
  let delivered = trace.counts.delivered
  let dropped = trace.counts.dropped
  return (): void => {
    const now = performance.now()
    const cost = costs.get(cause) ?? { count: 0, ms: 0, ops: 0 }
    cost.count++
    cost.ms += now - since
    cost.ops += scheduler.ops - opsBefore
    costs.set(cause, cost)
    cause = trace.counts.delivered !== delivered
      ? network.lastDeliveredKind
      : trace.counts.dropped !== dropped
      ? "a frame lost as it lands"
      : `sleep ${Math.round(time.lastFiredDelay)} ms`
    delivered = trace.counts.delivered
    dropped = trace.counts.dropped
    opsBefore = scheduler.ops
    since = performance.now()
  }
}
