/**
 * Effect's metrics in the Prometheus text exposition format (version 0.0.4): one family per
 * metric name, its HELP and TYPE, then a sample per label set. Counters and gauges are one
 * sample; a histogram its cumulative buckets, `_sum` and `_count`; a summary its quantiles; a
 * frequency a counter per occurrence, labelled `key`.
 */
import type { MetricPair } from "effect"
import { MetricState, Option } from "effect"

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")
const safeName = (name: string) => name.replace(/[^a-zA-Z0-9_:]/g, "_").replace(/^([^a-zA-Z_:])/, "_$1")

const labels = (pairs: ReadonlyArray<readonly [string, string]>) =>
  pairs.length === 0 ? "" : `{${pairs.map(([key, value]) => `${safeName(key)}="${escapeLabel(value)}"`).join(",")}}`

const number = (value: number | bigint) =>
  typeof value === "bigint" ? value.toString() : Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN"

interface Family {
  type: "counter" | "gauge" | "histogram" | "summary"
  help: string
  readonly samples: Array<string>
}

export const prometheusText = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const families = new Map<string, Family>()
  const family = (name: string, type: Family["type"], help: string) => {
    const existing = families.get(name)
    if (existing !== undefined) return existing
    const created: Family = { type, help, samples: [] }
    families.set(name, created)
    return created
  }
  for (const pair of pairs) {
    const name = safeName(pair.metricKey.name)
    const help = Option.getOrElse(pair.metricKey.description, () => name)
    const tags = pair.metricKey.tags.map((tag) => [tag.key, tag.value] as const)
    const state: unknown = pair.metricState
    if (MetricState.isCounterState(state)) {
      family(name, "counter", help).samples.push(`${name}${labels(tags)} ${number(state.count)}`)
    } else if (MetricState.isGaugeState(state)) {
      family(name, "gauge", help).samples.push(`${name}${labels(tags)} ${number(state.value)}`)
    } else if (MetricState.isHistogramState(state)) {
      const samples = family(name, "histogram", help).samples
      for (const [boundary, count] of state.buckets) {
        samples.push(`${name}_bucket${labels([...tags, ["le", number(boundary)]])} ${count}`)
      }
      samples.push(`${name}_bucket${labels([...tags, ["le", "+Inf"]])} ${state.count}`)
      samples.push(`${name}_sum${labels(tags)} ${number(state.sum)}`, `${name}_count${labels(tags)} ${state.count}`)
    } else if (MetricState.isSummaryState(state)) {
      const samples = family(name, "summary", help).samples
      for (const [quantile, value] of state.quantiles) {
        samples.push(`${name}${labels([...tags, ["quantile", String(quantile)]])} ${number(Option.getOrElse(value, () => Number.NaN))}`)
      }
      samples.push(`${name}_sum${labels(tags)} ${number(state.sum)}`, `${name}_count${labels(tags)} ${state.count}`)
    } else if (MetricState.isFrequencyState(state)) {
      const samples = family(name, "counter", help).samples
      for (const [key, count] of state.occurrences) samples.push(`${name}${labels([...tags, ["key", key]])} ${count}`)
    }
  }
  const lines: Array<string> = []
  for (const [name, { help, samples, type }] of [...families].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`, ...samples)
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`
}
