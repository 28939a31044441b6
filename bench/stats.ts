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
  const lines = [
    `## ${section.title}`,
    "",
    `| ${section.headers.join(" | ")} |`,
    `| ${section.headers.map(() => "---").join(" | ")} |`,
  ];
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

/** The figures a latency distribution is reported with. */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** n, median, p99 (nearest rank), mean and max of `values`. */
export function summarize(values: readonly number[]): Summary {
  const mean = values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  return {
    n: values.length,
    p50: median(values),
    p99: percentile(values, 99),
    mean,
    max: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

/** A duration in ms with a precision that suits its size (`0.42`, `6.1`, `245`). */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "–";
  if (value < 1) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return value.toFixed(0);
}

/** `value ÷ floor` as `1.23×`. */
export function ratio(value: number, floor: number): string {
  return Number.isFinite(value) && Number.isFinite(floor) && floor > 0 ? `${(value / floor).toFixed(2)}×` : "–";
}
