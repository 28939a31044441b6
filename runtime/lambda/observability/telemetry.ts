import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, type MetricUnit } from "@aws-lambda-powertools/metrics";

/** Service name in logs and the metrics' `service` dimension, unless `POWERTOOLS_SERVICE_NAME` is set. */
export const DEFAULT_SERVICE_NAME = "config-refresh";
/** Powertools' own variable for that name; the component sets it per pipeline ({@link pipelineServiceName}). */
export const SERVICE_NAME_VARIABLE = "POWERTOOLS_SERVICE_NAME";

/**
 * The `service` of one pipeline's logs and metrics, `config-refresh/shop/beta` for `/shop/beta/`: the
 * dimension its alarms watch, so that two pipelines of one account and region never share an alarm.
 */
export function pipelineServiceName(prefix: string): string {
  return `${DEFAULT_SERVICE_NAME}${prefix.replace(/\/+$/, "")}`;
}
/** CloudWatch namespace of the metrics, unless `POWERTOOLS_METRICS_NAMESPACE` is set. */
export const DEFAULT_METRICS_NAMESPACE = "ConfigRefresh";

/** Attributes of a log line (never a parameter value or a token). */
export type LogAttributes = Record<string, unknown>;

/**
 * What the function logs through. A Powertools `Logger` is one; tests and the local pipeline may
 * pass their own to capture or silence the lines.
 */
export interface RefreshLogger {
  debug(message: string, ...attributes: LogAttributes[]): void;
  info(message: string, ...attributes: LogAttributes[]): void;
  warn(message: string, ...attributes: LogAttributes[]): void;
  error(message: string, ...attributes: LogAttributes[]): void;
}

/** A CloudWatch unit, as Powertools names it. */
export type MetricUnitName = (typeof MetricUnit)[keyof typeof MetricUnit];

/** What the function records metrics through. A Powertools `Metrics` (EMF on stdout) is one. */
export interface RefreshMetrics {
  addMetric(name: string, unit: MetricUnitName, value: number): unknown;
  /** Writes what was recorded (one EMF document) and clears it. */
  publishStoredMetrics(): unknown;
}

/**
 * The Powertools logger of the function: JSON lines with level, service, timestamp, and (once
 * `addContext` ran) the request id, function name and cold start. Level from `POWERTOOLS_LOG_LEVEL`.
 *
 * @example
 * ```ts
 * const logger = createRefreshLogger({ parameterPrefix: "/shop/beta/" });
 * logger.info("published", { name, version });
 * ```
 */
export function createRefreshLogger(persistentKeys: Record<string, string> = {}): Logger {
  return new Logger({ serviceName: process.env[SERVICE_NAME_VARIABLE] || DEFAULT_SERVICE_NAME, persistentKeys });
}

/**
 * The Powertools metrics of the function: CloudWatch Embedded Metric Format, namespace
 * `ConfigRefresh`, dimension `service` (the pipeline's, as the component sets it). Disabled by
 * `POWERTOOLS_METRICS_DISABLED=true`.
 */
export function createRefreshMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE,
    serviceName: process.env[SERVICE_NAME_VARIABLE] || DEFAULT_SERVICE_NAME,
  });
}

/** A logger that drops everything. */
export const silentLogger: RefreshLogger = { debug() {}, info() {}, warn() {}, error() {} };
