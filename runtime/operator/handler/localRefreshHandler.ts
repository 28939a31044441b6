import type { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type Redis from "ioredis";
import { createRefreshHandler, type RefreshDependencies, type RefreshHandler } from "../../lambda/createRefreshHandler";
import { lambdaEnvironment, readLambdaSettings } from "../../lambda/environment";
import { silentLogger, type RefreshLogger, type RefreshMetrics } from "../../lambda/observability";

/** What the refresh function needs to know about the pipeline it serves. */
export interface RefreshFunctionTarget {
  prefix: string;
  redisUrl: string;
  /** The function's Redis user (ElastiCache RBAC), as the deployed function gets `CONFIG_REFRESH_REDIS_USER`. */
  redisUser?: string;
  namespaceName: string;
  serviceName: string;
  refreshTokenParameter: string;
  streamKey: string;
  /** The AWS endpoint (moto, LocalStack), as the deployed function would get `AWS_ENDPOINT_URL`. */
  awsEndpoint?: string;
  /** Revert a value the whole fleet refuses (this repo's stacks turn it on). */
  revertRefused?: boolean;
}

/** Metrics that go nowhere: Powertools' EMF lines on stdout would drown the demo's table. */
const NO_METRICS: RefreshMetrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };

/**
 * The environment the component gives the deployed function, for this target
 * (`CONFIG_REFRESH_PARAMETER_PREFIX`, `CONFIG_REFRESH_REDIS_URL`, ...).
 */
export function refreshFunctionEnvironment(target: RefreshFunctionTarget): Record<string, string> {
  return lambdaEnvironment({
    parameterPrefix: target.prefix,
    redisUrl: target.redisUrl,
    redisUser: target.redisUser,
    namespaceName: target.namespaceName,
    serviceName: target.serviceName,
    refreshTokenParameter: target.refreshTokenParameter,
    streamKey: target.streamKey,
    awsEndpoint: target.awsEndpoint,
    revertRefused: target.revertRefused,
  });
}

/**
 * The real refresh handler, as the deployed function builds it at cold start: its settings go
 * through the same environment variables and `readLambdaSettings`, so a setting the function would
 * refuse is refused here too. The SDK clients are the caller's (region and credentials of the
 * target), and so is `redis` when given (a connection already checked, with its password: the
 * handler then neither opens nor closes one); logs go to `logger` (default: none), metrics nowhere.
 *
 * @example
 * ```ts
 * const refresh = createLocalRefreshHandler(target, { ssm, serviceDiscovery });
 * const result = await refresh(sqsEvent);
 * await refresh.close();
 * ```
 */
export function createLocalRefreshHandler(
  target: RefreshFunctionTarget,
  clients: { ssm: SSMClient; serviceDiscovery: ServiceDiscoveryClient; redis?: Redis },
  options: { logger?: RefreshLogger; onRevertWritten?: RefreshDependencies["onRevertWritten"] } = {},
): RefreshHandler {
  const settings = readLambdaSettings(refreshFunctionEnvironment(target));
  return createRefreshHandler(settings, {
    ssm: clients.ssm,
    serviceDiscovery: clients.serviceDiscovery,
    ...(clients.redis ? { redis: clients.redis } : {}),
    logger: options.logger ?? silentLogger,
    metrics: NO_METRICS,
    ...(options.onRevertWritten ? { onRevertWritten: options.onRevertWritten } : {}),
  });
}
