import { expect, it } from "@effect/vitest"
import { Effect, Metric, MetricState } from "effect"
import { ContainerDriver } from "../../effects/container/containerDriver.ts"
import { MemoryDriver } from "../../effects/container/memoryDriver.ts"
import { withCallTimings } from "../../effects/container/timedDriver.ts"

it.effect("an engine call is timed by call and outcome", () =>
  Effect.gen(function*() {
    const driver = yield* ContainerDriver
    yield* driver.ping
    yield* Effect.ignore(driver.start("no-such-container"))
    const samples = (yield* Metric.snapshot).filter((pair) => pair.metricKey.name === "knot_engine_call_duration_seconds")
    const count = (call: string, outcome: string) =>
      samples
        .filter((pair) => pair.metricKey.tags.some((tag) => tag.key === "call" && tag.value === call) &&
          pair.metricKey.tags.some((tag) => tag.key === "outcome" && tag.value === outcome))
        .map((pair) => (MetricState.isHistogramState(pair.metricState) ? pair.metricState.count : 0))
        .reduce((a, b) => a + b, 0)
    expect(count("ping", "ok")).toBeGreaterThanOrEqual(1)
    expect(count("start", "error")).toBeGreaterThanOrEqual(1)
  }).pipe(Effect.provide(withCallTimings(MemoryDriver.layer()))))
