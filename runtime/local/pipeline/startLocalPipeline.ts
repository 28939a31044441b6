import * as path from "node:path";
import { DescribeParametersCommand, GetParametersCommand } from "@aws-sdk/client-ssm";
import Redis from "ioredis";
import { loadAppConfig } from "../../../components/appConfig/loadAppConfig";
import { LAMBDA_ENVIRONMENT } from "../../lambda/environment";
import { createAwsClients, type AwsClients } from "../../operator/aws/awsClients";
import { resolveAwsConnection, type AwsConnection } from "../../operator/aws/awsConnection";
import { explainAwsError } from "../../operator/aws/explainAwsError";
import { OPERATOR_ENVIRONMENT } from "../../operator/commandEnvironment";
import { EndpointUnreachableError, PipelineSettingsError } from "../../operator/errors";
import { readFleetState } from "../../operator/fleet/fleetState";
import { createLocalRefreshHandler } from "../../operator/handler/localRefreshHandler";
import { ChangeEventRelay } from "../../operator/relay/changeEventRelay";
import { probeRedis } from "../../operator/redis/probeRedis";
import { resolveRedisTarget } from "../../operator/redis/redisTarget";
import { deleteParameter, writeParameter } from "../../operator/relay/writeParameter";
import { PipelineAbortedError } from "../errors";
import { latestAckId, readAcks } from "../fleet/acks";
import { packageRoot } from "../fleet/serviceEntry";
import { ServiceFleet } from "../fleet/serviceFleet";
import { QueueInvoker } from "../invoker/queueInvoker";
import { ReconcileTimer } from "../invoker/ReconcileTimer";
import { RECONCILE_DEFAULTS } from "../../protocol/pipelineContract";
import { seedAppConfigParameters, seedLocalSecrets } from "../provision/appConfigParameters";
import { ensureChangeRule } from "../provision/changeRule";
import { fullParameterName, pipelineNames } from "../../operator/pipeline/pipelineNames";
import { ensureServiceRegistry } from "../provision/serviceRegistry";
import { appOfStack, envOfAppConfigFile } from "../../operator/pipeline/stackSettings";
import { relayRevertWrites } from "../../operator/relay/relayRevertWrites";
import { pipelineClients, startChangeEmittingEndpoint } from "../emulator/startChangeEmittingEndpoint";
import { LocalMotoServer } from "../servers/motoServer";
import { LocalRedisServer } from "../servers/redisServer";
import type { LocalPipelineOptions, ProgressEvent } from "../types/options";
import type { LocalPipeline, PipelineProcess } from "../types/pipeline";
import { CleanupStack } from "./cleanupStack";
import { readRefreshToken } from "./readRefreshToken";

/**
 * Starts the whole pipeline on this machine, the same code path for an own emulator, a given one
 * (LocalStack) or a real account:
 *
 * 1. loads the app_config file through `loadAppConfig` (the component's loader);
 * 2. starts `moto_server` and `redis-server` on free loopback ports, or checks the given endpoints;
 * 3. creates what the component declares: the parameters (never overwritten), the Cloud Map
 *    namespace and service, the change rule with the component's own event pattern, an SQS queue
 *    as its target and a dead-letter queue; against an emulator also, local only, the required
 *    secrets and the refresh token with generated values;
 * 4. starts the invoker: it long-polls the queue and calls the real refresh handler, with
 *    EventBridge's retries and the DLQ done locally;
 * 5. starts `instances` example services, each registered in Cloud Map.
 *
 * Against an emulator, every write made through the pipeline is followed by its "Parameter Store
 * Change" event, relayed to EventBridge (see `ChangeEventRelay`): emulators do not emit it.
 *
 * Whatever fails or is interrupted half-way, what had started is stopped before the promise rejects.
 *
 * @throws `MissingToolError` (moto_server or redis-server not on PATH, with how to install it),
 * {@link EndpointUnreachableError}, `AwsCredentialsError`, {@link PipelineSettingsError},
 * `AppConfigError` (the file), `InstanceStartError`, {@link PipelineAbortedError}.
 *
 * @example
 * ```ts
 * const pipeline = await startLocalPipeline({ instances: 3, onProgress: (e) => console.log(e.message) });
 * const written = await pipeline.writeParameter("log_level", "info");
 * const state = await pipeline.fleetState();
 * await pipeline.stop();
 * ```
 */
export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const cleanup = new CleanupStack();
  const progress = (event: ProgressEvent): void => options.onProgress?.(event);
  const checkpoint = (): void => {
    if (options.signal?.aborted) throw new PipelineAbortedError();
  };
  const servers: { moto?: LocalMotoServer; redis?: LocalRedisServer } = {};
  try {
    if (options.awsEndpoint && options.realAws)
      throw new PipelineSettingsError(
        "an AWS endpoint and realAws conflict: the endpoint is an emulator, realAws means AWS itself",
      );
    const file = path.resolve(options.appConfigFile ?? path.join(packageRoot(), "stacks", "app_config_beta.yaml"));
    const env = options.env ?? envOfAppConfigFile(file);
    const app = options.app ?? appOfStack(env, file);
    if (!app)
      throw new PipelineSettingsError(
        `cannot tell the app of ${file}: pass --app, or set <project>:app in Pulumi.${env}.yaml`,
      );
    const names = pipelineNames(app, env);
    const appConfig = loadAppConfig(file, { prefix: names.prefix });
    progress({
      step: "config",
      message:
        `${path.relative(process.cwd(), file) || file}: ${appConfig.entries.length} parameters and ` +
        `${appConfig.requiredSecrets.length} required secrets under ${names.prefix}`,
    });
    checkpoint();

    // Emulator and Redis, in parallel; each registers its own stop as soon as it runs.
    const started = Date.now();
    const [awsStart, redisStart] = await Promise.allSettled([
      (async (): Promise<AwsConnection> => {
        if (options.awsEndpoint || options.realAws)
          return resolveAwsConnection(
            { endpoint: options.awsEndpoint, region: options.region, profile: options.profile },
            options.realAws ? withoutEndpoint(process.env) : process.env,
          );
        const moto = await LocalMotoServer.start();
        servers.moto = moto;
        cleanup.push("moto_server", () => moto.stop());
        const endpoint = await startChangeEmittingEndpoint(moto, cleanup, progress);
        const ready = `moto_server on ${moto.endpoint} (pid ${moto.pid}, ready in ${seconds(started)})`;
        progress({
          step: "moto",
          message: `${ready}, reached through ${endpoint}`,
          ...(moto.pid ? { pid: moto.pid } : {}),
        });
        return resolveAwsConnection({ endpoint, region: options.region }, {});
      })(),
      (async (): Promise<string> => {
        if (options.redisUrl) return options.redisUrl;
        const redis = await LocalRedisServer.start();
        servers.redis = redis;
        cleanup.push("redis-server", () => redis.dispose());
        progress({
          step: "redis",
          message: `redis-server on ${redis.url} (pid ${redis.pid}, ready in ${seconds(started)})`,
          ...(redis.pid ? { pid: redis.pid } : {}),
        });
        return redis.url;
      })(),
    ]);
    if (awsStart.status === "rejected") throw awsStart.reason;
    if (redisStart.status === "rejected") throw redisStart.reason;
    const connection = awsStart.value;
    const redisUrl = redisStart.value;
    checkpoint();

    const clients: AwsClients = servers.moto ? pipelineClients(connection, servers.moto) : createAwsClients(connection);
    cleanup.push("AWS clients", () => clients.destroy());
    if (!servers.moto) await checkAws(clients, connection);
    if (options.redisUrl) await checkRedis(redisUrl);
    const emulator = connection.endpoint !== undefined;

    const parameters = await seedAppConfigParameters(clients.ssm, appConfig).catch((error: unknown) => {
      throw explainAwsError(error, {
        connection,
        service: "SSM",
        action: `create the parameters under ${names.prefix}`,
      });
    });
    progress({
      step: "parameters",
      message:
        `parameters: ${parameters.created.length} created, ` +
        `${parameters.kept.length} kept as they were (never overwritten)`,
    });
    let refreshToken: string;
    const created = [...parameters.created];
    if (emulator) {
      const secrets = await seedLocalSecrets(clients.ssm, appConfig.requiredSecrets, names.refreshTokenParameter);
      refreshToken = secrets.refreshToken;
      created.push(...secrets.created);
      progress({
        step: "secrets",
        message:
          `local only: ${secrets.created.length} SecureStrings generated ` +
          `(${[...appConfig.requiredSecrets.map((s) => s.key), "refresh token"].join(", ")}), ` +
          `${secrets.kept.length} kept`,
      });
    } else {
      refreshToken = await readRefreshToken(clients.ssm, connection, names.refreshTokenParameter);
    }
    checkpoint();

    const [registry, rule] = await Promise.all([
      ensureServiceRegistry(clients.serviceDiscovery, names).catch((error: unknown) => {
        throw explainAwsError(error, {
          connection,
          service: "Cloud Map",
          action: `create namespace ${names.namespaceName}`,
        });
      }),
      ensureChangeRule(clients.eventBridge, clients.sqs, names).catch((error: unknown) => {
        throw explainAwsError(error, {
          connection,
          service: "EventBridge/SQS",
          action: `create rule ${names.ruleName} and its queues`,
        });
      }),
    ]);
    progress({
      step: "registry",
      message: `Cloud Map: namespace ${names.namespaceName}, service ${names.serviceName} (${registry.serviceId})`,
    });
    progress({
      step: "rule",
      message:
        `EventBridge rule ${names.ruleName}: the component's pattern (prefix ${names.prefix}) ` +
        `→ SQS ${names.eventQueueName}, dead letters → ${names.deadLetterQueueName}`,
    });

    let relay: ChangeEventRelay | undefined;
    const handler = createLocalRefreshHandler(
      {
        prefix: names.prefix,
        redisUrl,
        namespaceName: names.namespaceName,
        serviceName: names.serviceName,
        refreshTokenParameter: names.refreshTokenParameter,
        streamKey: names.streamKey,
        ...(connection.endpoint ? { awsEndpoint: servers.moto?.endpoint ?? connection.endpoint } : {}),
        revertRefused: true,
      },
      clients,
      {
        ...(options.handlerLogger ? { logger: options.handlerLogger } : {}),
        onRevertWritten: relayRevertWrites(() => relay),
      },
    );
    cleanup.push("refresh handler", () => handler.close());
    const invoker = new QueueInvoker({
      sqs: clients.sqs,
      queueUrl: rule.queueUrl,
      queueArn: rule.queueArn,
      deadLetterQueueUrl: rule.deadLetterQueueUrl,
      region: connection.region ?? "us-east-1",
      handler,
      ...options.invoker,
    });
    invoker.start();
    cleanup.push("invoker", () => invoker.stop());
    relay = emulator ? new ChangeEventRelay(clients.eventBridge) : undefined;
    if (relay) {
      const arns = await parameterArns(clients, [
        ...appConfig.entries.map((e) => e.name),
        ...appConfig.requiredSecrets.map((s) => s.name),
      ]);
      arns.forEach((arn, name) => {
        relay.rememberArn(name, arn);
      });
      // What Parameter Store would have emitted for the parameters just created.
      if (created.length > 0)
        await relay.emit(
          created.map((c) => ({
            operation: "Create" as const,
            name: c.name,
            type: c.type,
            arn: arns.get(c.name) ?? "",
          })),
        );
    }
    const reconcileIntervalMs = options.reconcileIntervalMs ?? RECONCILE_DEFAULTS.intervalMinutes * 60_000;
    const reconciler = new ReconcileTimer({
      handler,
      intervalMs: reconcileIntervalMs,
      ...(options.onReconcile ? { onSweep: options.onReconcile } : {}),
      onError: (error) =>
        options.handlerLogger?.warn("reconcile sweep failed; the next one retries", {
          error: error.message,
        }),
    });
    reconciler.start();
    cleanup.push("reconciler", () => reconciler.stop());
    const sweeps = reconcileIntervalMs > 0 ? `every ${reconcileIntervalMs / 1000} s` : "on demand only";
    progress({ step: "reconciler", message: `reconciler: sweeps ${names.prefix} ${sweeps}` });
    const events = servers.moto
      ? `${connection.endpoint} emits the change event of every write, whoever sends it`
      : relay
        ? "change events relayed to EventBridge after each write"
        : "Parameter Store emits the change events";
    progress({
      step: "invoker",
      message: `invoker: long-polls ${names.eventQueueName} → the refresh handler (${events})`,
    });
    checkpoint();

    const fleet = new ServiceFleet({
      prefix: names.prefix,
      redisUrl,
      streamKey: names.streamKey,
      serviceId: registry.serviceId,
      refreshToken,
      connection,
      idPrefix: names.serviceName,
    });
    cleanup.push("instances", () => fleet.stopAll());
    const count = options.instances ?? 0;
    if (count > 0) {
      let ready = 0;
      const abortStart = (): void => void fleet.stopAll();
      options.signal?.addEventListener("abort", abortStart, { once: true });
      try {
        await fleet.start(count, (instance) => {
          ready++;
          progress({
            step: "instance",
            message:
              `instance ${instance.instanceId} ready (${ready}/${count}): pid ${instance.pid}, ` +
              `http :${instance.httpPort}, gRPC ${instance.refreshAddress}, registered in Cloud Map`,
            pid: instance.pid,
          });
        });
      } finally {
        options.signal?.removeEventListener("abort", abortStart);
      }
      checkpoint();
    }

    let admin: Redis | undefined;
    const adminRedis = (): Redis => {
      if (!admin) {
        admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
        admin.on("error", () => undefined);
        const connection = admin;
        cleanup.push("redis connection", () => connection.disconnect());
      }
      return admin;
    };
    return {
      names,
      prefix: names.prefix,
      appConfig,
      connection,
      clients,
      redisUrl,
      rule,
      registry,
      refreshToken,
      relaysEvents: relay !== undefined,
      fleet,
      invoker,
      servers,
      writeParameter: (name, value, writeOptions = {}) =>
        writeParameter(clients.ssm, fullParameterName(name, names.prefix), value, {
          ...writeOptions,
          ...(relay ? { relay } : {}),
        }),
      deleteParameter: (name) =>
        deleteParameter(clients.ssm, fullParameterName(name, names.prefix), relay ? { relay } : {}),
      reconcile: () => reconciler.runNow(),
      fleetState: () =>
        readFleetState({
          ...clients,
          prefix: names.prefix,
          namespaceName: names.namespaceName,
          serviceName: names.serviceName,
          refreshTokenParameter: names.refreshTokenParameter,
        }),
      readAcks: (after) => readAcks(adminRedis(), names.streamKey, after),
      latestAckId: () => latestAckId(adminRedis(), names.streamKey),
      commandEnvironment: () => ({
        ...(connection.endpoint ? { AWS_ENDPOINT_URL: connection.endpoint } : {}),
        // boto3 and the AWS CLI v1 read AWS_DEFAULT_REGION only.
        ...(connection.region ? { AWS_REGION: connection.region, AWS_DEFAULT_REGION: connection.region } : {}),
        ...(connection.credentials
          ? {
              AWS_ACCESS_KEY_ID: connection.credentials.accessKeyId,
              AWS_SECRET_ACCESS_KEY: connection.credentials.secretAccessKey,
            }
          : {}),
        [LAMBDA_ENVIRONMENT.parameterPrefix]: names.prefix,
        [LAMBDA_ENVIRONMENT.redisUrl]: redisUrl,
        [OPERATOR_ENVIRONMENT.deadLetterQueueUrl]: rule.deadLetterQueueUrl,
      }),
      processes: (): PipelineProcess[] => [
        ...(servers.moto?.pid ? [{ role: "moto_server", pid: servers.moto.pid }] : []),
        ...(servers.redis?.pid ? [{ role: "redis-server", pid: servers.redis.pid }] : []),
        ...fleet.instances.map((instance) => ({ role: instance.instanceId, pid: instance.pid })),
      ],
      stop: async () => {
        await cleanup.run();
      },
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

/** Fails with a clear sentence when the given AWS endpoint does not answer or refuses the credentials. */
async function checkAws(clients: AwsClients, connection: AwsConnection): Promise<void> {
  try {
    await clients.ssm.send(new DescribeParametersCommand({ MaxResults: 1 }));
  } catch (error) {
    throw explainAwsError(error, { connection, service: "SSM", action: "list parameters (ssm:DescribeParameters)" });
  }
}

/** Fails with a sentence when the given Redis does not answer PING (a password may be percent-encoded in the URL). */
async function checkRedis(url: string): Promise<void> {
  const target = await resolveRedisTarget(url);
  const probe = await probeRedis(target);
  if (probe.outcome !== "answered") throw new EndpointUnreachableError("Redis", target.label, probe.detail);
}

/** ARN by name (the change events' resource), 10 names a call. */
async function parameterArns(clients: AwsClients, names: readonly string[]): Promise<Map<string, string>> {
  const arns = new Map<string, string>();
  for (let i = 0; i < names.length; i += 10) {
    const answer = await clients.ssm.send(new GetParametersCommand({ Names: names.slice(i, i + 10) }));
    for (const parameter of answer.Parameters ?? [])
      if (parameter.Name && parameter.ARN) arns.set(parameter.Name, parameter.ARN);
  }
  return arns;
}

function withoutEndpoint(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AWS_ENDPOINT_URL: _ignored, ...rest } = env;
  return rest;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
