import type { RefreshLogger, RefreshMetrics } from "../../../../runtime/lambda";

/** One captured log line. */
export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  attributes: Record<string, unknown>;
}

/** A logger that keeps every line, so tests read what the on-call engineer would read. */
export class RecordingLogger implements RefreshLogger {
  public readonly lines: LogLine[] = [];
  public debug(message: string, ...attributes: Record<string, unknown>[]): void {
    this.push("debug", message, attributes);
  }
  public info(message: string, ...attributes: Record<string, unknown>[]): void {
    this.push("info", message, attributes);
  }
  public warn(message: string, ...attributes: Record<string, unknown>[]): void {
    this.push("warn", message, attributes);
  }
  public error(message: string, ...attributes: Record<string, unknown>[]): void {
    this.push("error", message, attributes);
  }
  /** Every line as one JSON text (to look for a value that must never appear). */
  public text(): string {
    return JSON.stringify(this.lines);
  }
  public find(message: string): LogLine[] {
    return this.lines.filter((line) => line.message === message);
  }
  private push(level: LogLine["level"], message: string, attributes: Record<string, unknown>[]): void {
    this.lines.push({ level, message, attributes: Object.assign({}, ...attributes) });
  }
}

/** Metrics kept in memory: name → values recorded, and how many times they were flushed. */
export class RecordingMetrics implements RefreshMetrics {
  public readonly values = new Map<string, number[]>();
  public flushes = 0;
  public addMetric(name: string, _unit: string, value: number): void {
    this.values.set(name, [...(this.values.get(name) ?? []), value]);
  }
  public publishStoredMetrics(): void {
    this.flushes += 1;
  }
  /** Sum of the values recorded under `name` (0 when none). */
  public sum(name: string): number {
    return (this.values.get(name) ?? []).reduce((a, b) => a + b, 0);
  }
}
