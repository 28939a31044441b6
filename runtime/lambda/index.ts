/**
 * The refresh Lambda: turns "Parameter Store Change" events into messages on the Redis stream and
 * authenticated `Refresh` calls to the live instances. `handler` is the AWS entry point;
 * `createRefreshHandler` builds the same function with explicit settings and clients (local
 * pipeline, tests). Never imports `@pulumi/*`.
 *
 * @example
 * ```ts
 * import { createRefreshHandler, readLambdaSettings } from "config-refresh-pipeline/lambda";
 * const refresh = createRefreshHandler(
 *   readLambdaSettings({
 *     CONFIG_REFRESH_PARAMETER_PREFIX: "/shop/beta/",
 *     CONFIG_REFRESH_REDIS_URL: "redis://127.0.0.1:6379",
 *   }),
 * );
 * const result = await refresh(parameterStoreChangeEvent);
 * ```
 */
export { handler } from "./handler";
export { REVERT_METRICS, type RevertAction, type RevertReport, type RevertWrite } from "./revert";
export {
  createRefreshHandler,
  type RefreshDependencies,
  type RefreshHandler,
  type RefreshInvocationContext,
} from "./createRefreshHandler";
export {
  LAMBDA_ENVIRONMENT,
  LambdaSettingsError,
  lambdaEnvironment,
  readLambdaSettings,
  type LambdaSettings,
} from "./environment";
export { RefreshError, ParameterStoreError, StreamPublishError } from "./errors";
// The result types of an invocation: `types/` lists them once.
export type * from "./types";
export { readRefreshInput, PARAMETER_STORE_CHANGE, type ParameterStoreChange, type RefreshInput } from "./events";
export { REFRESH_METRICS, silentLogger, type RefreshLogger, type RefreshMetrics } from "./observability";
export { parsePublishedRevision, type PublishedRevision } from "./stream";
