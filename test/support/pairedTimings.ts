/** Summaries for benches that time two paths in alternating pairs and report their ratio. */

export const mean = (values: ReadonlyArray<number>) => values.reduce((sum, value) => sum + value, 0) / values.length

export const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] ?? 0 : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/** `mean:` and `median:` lines comparing path `a` with the baseline `b`, ratio a / b. */
export const ratioLines = (
  a: { readonly name: string; readonly samples: ReadonlyArray<number> },
  b: { readonly name: string; readonly samples: ReadonlyArray<number> }
) => {
  const line = (name: string, of: (values: ReadonlyArray<number>) => number) =>
    `${name}: ${a.name} ${of(a.samples).toFixed(1)} ms, ${b.name} ${of(b.samples).toFixed(1)} ms, ` +
    `ratio ${(of(a.samples) / of(b.samples)).toFixed(3)}`
  return `  ${line("mean", mean)}\n  ${line("median", median)}`
}
