import { describeError } from "../common/errors";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { SSMClient } from "@aws-sdk/client-ssm";
import type * as grpc from "@grpc/grpc-js";
import type Redis from "ioredis";
import { streamKeys } from "../protocol";
import type { LambdaSettings } from "./environment";
import { StreamPublishError } from "./errors";
import { RefreshClientPool, RefreshFanOut, ScopePattern, StaleRegistrations } from "./fanout";
import { refreshCallCredentials } from "./fanout/refreshCallCredentials";
import {
  createRefreshLogger,
  createRefreshMetrics,
  recordRefreshMetrics,
  REFRESH_METRICS,
  type RefreshLogger,
  type RefreshMetrics,
} from "./observability";
import { CachedSecureString } from "./parameters";
import { refreshBatch } from "./refreshBatch";
import { RefusedValueReverter, type RevertWrite } from "./revert";
import { reconcileBatch } from "./reconcile/reconcileBatch";
import { isReconcileRequest } from "../protocol/pipelineContract";
import { StreamPublisher, createStreamRedis } from "./stream";
import type { RefreshResult } from "./types";

/**
 * What `createRefreshHandler` may be given instead of building it. Whatever is passed in is the
 * caller's to close; whatever the factory builds, `close()` closes.
 */
export interface RefreshDependencies {
  /** Reads the changed parameters (no decryption) and the tokens (with decryption). */
  ssm?: SSMClient;
  /** Cloud Map client; against an emulator it needs `disableHostPrefix: true`. */
  serviceDiscovery?: ServiceDiscoveryClient;
  /** The stream's Redis connection (the factory's own fails fast, see `createStreamRedis`). */
  redis?: Redis;
  /** Default: the Powertools logger. */
  logger?: RefreshLogger;
  /** Default: Powertools metrics (EMF on stdout). */
  metrics?: RefreshMetrics;
  /** Credentials of the calls to the instances; default TLS when the settings pin a CA, else insecure (in the VPC). */
  refreshCredentials?: grpc.ChannelCredentials;
  /** How long the refresh token is kept before it is read again; default 5 minutes. */
  tokenMaxAgeMs?: number;
  /** Called after each revert SSM accepted (the local pipeline relays its change event; AWS emits it). */
  onRevertWritten?(write: RevertWrite): Promise<void>;
}

/** What the function needs of the Lambda context (optional: the local pipeline has none). */
export interface RefreshInvocationContext {
  /** Time left before the Lambda timeout; refresh calls are cut to fit. */
  getRemainingTimeInMillis?(): number;
}

/**
 * The refresh function of one container: call it with an invocation's input (an EventBridge event,
 * an array of them, or an SQS event of them), `close()` it when done (tests, local pipeline).
 */
export interface RefreshHandler {
  (input: unknown, context?: RefreshInvocationContext): Promise<RefreshResult>;
  /** Closes the connections and clients the factory created. */
  close(): Promise<void>;
}

/**
 * Builds the refresh function from validated settings: the clients are created here, once, and
 * reused by every invocation (SDK clients, the Redis connection, one gRPC client per instance).
 * The AWS entry point (`handler`) calls it at cold start with `readLambdaSettings()`; the local
 * pipeline and the tests call it with explicit settings and clients.
 *
 * An invocation throws only when it must be retried (Parameter Store or Redis unavailable); bad
 * records, names outside the prefix, NACKs and unreachable instances are in the result. Invoked
 * with `RECONCILE_REQUEST` (the schedule's input), it runs one reconcile sweep (`reconcileBatch`).
 *
 * @example
 * ```ts
 * const refresh = createRefreshHandler(readLambdaSettings(env), { ssm, serviceDiscovery });
 * const result = await refresh(event);
 * console.log(result.published, result.instances);
 * await refresh.close();
 * ```
 */
export function createRefreshHandler(settings: LambdaSettings, dependencies: RefreshDependencies = {}): RefreshHandler {
  const endpoint = settings.awsEndpoint ? { endpoint: settings.awsEndpoint } : {};
  const ssm = dependencies.ssm ?? new SSMClient({ ...endpoint, maxAttempts: 3 });
  const logger = dependencies.logger ?? createRefreshLogger({ parameterPrefix: settings.parameterPrefix });
  const metrics = dependencies.metrics ?? createRefreshMetrics();
  const owned: { ssm?: SSMClient; serviceDiscovery?: ServiceDiscoveryClient; redis?: Redis } = dependencies.ssm
    ? {}
    : { ssm };

  let connection: Promise<{ redis: Redis; publisher: StreamPublisher }> | undefined;
  const openConnection = async (): Promise<{ redis: Redis; publisher: StreamPublisher }> => {
    let redis = dependencies.redis;
    if (!redis) {
      const password = settings.redisAuthTokenParameter
        ? await new CachedSecureString(ssm, settings.redisAuthTokenParameter).get()
        : undefined;
      redis = owned.redis = createStreamRedis(settings.redisUrl, {
        ...(settings.redisUser !== undefined ? { username: settings.redisUser } : {}),
        ...(password !== undefined ? { password } : {}),
      });
      // Connection errors also fail the command that needs the connection (and so the invocation);
      // here they are only noted.
      redis.on("error", (error: unknown) => logger.debug("redis connection error", { error: describeError(error) }));
    }
    const { streamKey, streamMaxLength: maxLength } = settings;
    const publisher = new StreamPublisher(redis, { streamKey, maxLength });
    return { redis, publisher };
  };
  const getConnection = (): Promise<{ redis: Redis; publisher: StreamPublisher }> => {
    connection ??= openConnection().catch((error: unknown) => {
      connection = undefined;
      throw error;
    });
    return connection;
  };
  const getPublisher = async (): Promise<StreamPublisher> => (await getConnection()).publisher;

  let fanOut: RefreshFanOut | undefined;
  let tokens: CachedSecureString | undefined;
  let pool: RefreshClientPool | undefined;
  if (settings.namespaceName && settings.serviceName && settings.refreshTokenParameter) {
    const serviceDiscovery =
      dependencies.serviceDiscovery ??
      new ServiceDiscoveryClient({
        ...endpoint,
        ...(settings.awsEndpoint ? { disableHostPrefix: true } : {}),
        maxAttempts: 2,
      });
    if (!dependencies.serviceDiscovery) owned.serviceDiscovery = serviceDiscovery;
    tokens = new CachedSecureString(ssm, settings.refreshTokenParameter, {
      ...(dependencies.tokenMaxAgeMs !== undefined ? { maxAgeMs: dependencies.tokenMaxAgeMs } : {}),
      onStaleRead: (error) =>
        logger.warn("refresh token could not be re-read; keeping the previous one", { error: describeError(error) }),
    });
    // One channel per call in flight: the pool holds what one invocation needs, and no more descriptors.
    const { rpcTlsCa: caPem, rpcTlsServerName: serverName } = settings;
    const credentials =
      dependencies.refreshCredentials ??
      (caPem !== undefined
        ? refreshCallCredentials({ caPem, ...(serverName !== undefined ? { serverName } : {}) })
        : undefined);
    pool = new RefreshClientPool({ maxClients: settings.fanOutConcurrency, ...(credentials ? { credentials } : {}) });
    const staleRegistrations = settings.serviceId
      ? new StaleRegistrations({
          redis: async () => (await getConnection()).redis,
          key: streamKeys(settings.streamKey).unreachable,
          serviceDiscovery,
          serviceId: settings.serviceId,
          afterInvocations: settings.staleAfterInvocations,
          afterMs: settings.staleAfterMs,
        })
      : undefined;
    if (!staleRegistrations) logger.info("stale registrations are not deregistered: no Cloud Map service id is set");
    fanOut = new RefreshFanOut({
      serviceDiscovery,
      namespaceName: settings.namespaceName,
      serviceName: settings.serviceName,
      ...(settings.scopePattern ? { scopePattern: ScopePattern.parse(settings.scopePattern) } : {}),
      pool,
      tokens,
      deadlineMs: settings.rpcDeadlineMs,
      retries: settings.rpcRetries,
      concurrency: settings.fanOutConcurrency,
      discoveryMaxResults: settings.discoveryMaxResults,
      ...(staleRegistrations ? { staleRegistrations } : {}),
    });
  }

  const reverter =
    fanOut &&
    new RefusedValueReverter({
      ssm,
      enabled: settings.revertRefused,
      logger,
      metrics,
      ...(dependencies.onRevertWritten ? { onWritten: dependencies.onRevertWritten } : {}),
    });
  const refresh = async (input: unknown, context?: RefreshInvocationContext): Promise<RefreshResult> => {
    // Read the token beside GetParameters, not after the publish (a cold start saves one round trip).
    void tokens?.get().catch(() => undefined);
    try {
      const getRemaining = context?.getRemainingTimeInMillis;
      const remaining = getRemaining ? () => getRemaining.call(context) : undefined;
      const shared = { parameterPrefix: settings.parameterPrefix, ssm, logger, ...(fanOut ? { fanOut } : {}) };
      const result = isReconcileRequest(input)
        ? await reconcileBatch({ ...shared, connection: getConnection }, remaining)
        : await refreshBatch(input, { ...shared, publisher: getPublisher }, remaining);
      await reverter?.revert(result);
      recordRefreshMetrics(metrics, result);
      if (pool) metrics.addMetric(REFRESH_METRICS.openChannelsPeak, MetricUnit.Count, pool.takePeak());
      return result;
    } catch (error) {
      metrics.addMetric(REFRESH_METRICS.retryableFailures, MetricUnit.Count, 1);
      logger.error("refresh failed; the event will be retried", { error: describeError(error) });
      if (error instanceof StreamPublishError && owned.redis) {
        // Whatever failed (a rotated AUTH token, a node demoted by a failover, a dead socket), the next
        // invocation connects afresh, reading the token again, rather than retry on this connection.
        owned.redis.disconnect();
        owned.redis = undefined;
        connection = undefined;
      }
      throw error;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
  return Object.assign(refresh, {
    async close(): Promise<void> {
      pool?.close();
      owned.redis?.disconnect();
      owned.ssm?.destroy();
      owned.serviceDiscovery?.destroy();
    },
  });
}
