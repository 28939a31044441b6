/**
 * A plain-text table: columns padded to their widest cell, two spaces apart, no trailing blanks.
 * Readable in a terminal, a CI log and a README alike.
 *
 * @example
 * ```ts
 * textTable(["instance", "state"], [["shop-1", "converged"]]);
 * // ["instance  state", "shop-1    converged"]
 * ```
 */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `12 ms`, `1.4 s`. */
export function formatDuration(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

/** The value at quantile `q` (0–1) of `values` (nearest rank), or undefined when empty. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
