export {
  createRefreshLogger,
  createRefreshMetrics,
  silentLogger,
  DEFAULT_METRICS_NAMESPACE,
  DEFAULT_SERVICE_NAME,
  type LogAttributes,
  type MetricUnitName,
  type RefreshLogger,
  type RefreshMetrics,
} from "./telemetry";
export { recordRefreshMetrics, REFRESH_METRICS } from "./recordRefreshMetrics";
