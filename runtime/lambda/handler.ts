import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { createRefreshHandler, type RefreshHandler } from "./createRefreshHandler";
import { readLambdaSettings } from "./environment";
import { describeError } from "../common/errors";
import { createRefreshLogger, createRefreshMetrics } from "./observability";
import type { RefreshResult } from "./types";

/** What lives as long as the container: built on the first invocation (the cold start). */
let container: { logger: Logger; metrics: Metrics; refresh?: RefreshHandler } | undefined;

/**
 * The AWS Lambda entry point (`index.handler`). On the cold start it validates the environment
 * with `readLambdaSettings()` (a wrong variable fails every invocation with a message naming it)
 * and creates the clients; every invocation then reuses them. Logs carry the request id and the
 * cold start; a cold start is also counted as a metric.
 *
 * @example
 * ```ts
 * // the deployed bundle: export { handler } from "config-refresh-pipeline/lambda";
 * ```
 */
export async function handler(event: unknown, context: Context): Promise<RefreshResult> {
  const first = container === undefined;
  container ??= { logger: createRefreshLogger(), metrics: createRefreshMetrics() };
  const { logger, metrics } = container;
  logger.addContext(context);
  if (first) metrics.captureColdStartMetric(context.functionName);
  if (!container.refresh) {
    try {
      const settings = readLambdaSettings();
      logger.appendPersistentKeys({ parameterPrefix: settings.parameterPrefix });
      container.refresh = createRefreshHandler(settings, { logger, metrics });
    } catch (error) {
      logger.error("the function cannot start", { error: describeError(error) });
      throw error;
    }
  }
  return container.refresh(event, context);
}
