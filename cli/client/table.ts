/** Plain-text tables for people: a header row, columns padded to their widest cell. */

export interface Column<A> {
  readonly header: string
  readonly cell: (row: A) => string
}

export const renderTable = <A>(columns: ReadonlyArray<Column<A>>, rows: ReadonlyArray<A>): string => {
  const cells = [columns.map((column) => column.header), ...rows.map((row) => columns.map((column) => column.cell(row)))]
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index]!.length)))
  return cells
    .map((line) => line.map((cell, index) => (index === line.length - 1 ? cell : cell.padEnd(widths[index]!))).join("  "))
    .join("\n")
}

/** `key: value` lines, values aligned: one record for people. */
export const renderFields = (fields: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(...fields.map(([key]) => key.length)) + 1
  // An empty key continues the field above it (one value per line).
  return fields.map(([key, value]) => `${(key === "" ? "" : `${key}:`).padEnd(width)} ${value}`).join("\n")
}
