/** Helpers shared by the benchmarks: summary statistics and the printed/markdown table shape. */

/** A table of figures from one benchmark. */
export interface BenchSection {
  title: string;
  headers: string[];
  rows: string[][];
  notes?: string[];
}

/** Median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The p-th percentile (nearest rank) of `values` (NaN when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** A section as a markdown table. */
export function toMarkdown(section: BenchSection): string {
  const lines = [`## ${section.title}`, "", `| ${section.headers.join(" | ")} |`, `| ${section.headers.map(() => "---").join(" | ")} |`];
  for (const row of section.rows) lines.push(`| ${row.join(" | ")} |`);
  for (const note of section.notes ?? []) lines.push("", note);
  return `${lines.join("\n")}\n`;
}

/** A section as aligned plain text for the terminal. */
export function toText(section: BenchSection): string {
  const widths = section.headers.map((h, i) => Math.max(h.length, ...section.rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  return [section.title, line(section.headers), ...section.rows.map(line), ...(section.notes ?? [])].join("\n");
}
