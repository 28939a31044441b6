import * as pulumi from "@pulumi/pulumi";
import { ParameterChangeEvents } from "../changeEvents/parameterChangeEvents";
import { RefreshDeadLetterQueue } from "../changeEvents/deadLetterQueue";
import { PipelineNetwork } from "../network/pipelineNetwork";
import { PipelineSecurityGroups } from "../network/securityGroups";
import { AppConfigParameters } from "../parameters/appConfigParameters";
import { RedisStream } from "../redisStream/redisStream";
import { RefreshFunction } from "../refreshFunction/refreshFunction";
import { ServiceInstanceAccess } from "../serviceAccess/serviceInstanceAccess";
import { ServiceRegistry } from "../serviceRegistry/serviceRegistry";
import { ReconcileSchedule } from "../reconcileSchedule/reconcileSchedule";
import { REDIS_USER_NAMES } from "../../runtime/protocol/redisAccess";
import type { ConfigRefreshPipelineArgs } from "./args";
import { resolvePipelineSettings, type PipelineSettings } from "./settings";

/**
 * Everything a service needs to configure the client and join the pipeline, declared once: the
 * component's {@link ConfigRefreshPipeline.outputs}, its registered outputs and what
 * {@link ConfigRefreshPipeline.stackOutputs} returns for a stack to export. No secret values: the
 * tokens are given by parameter name.
 */
export interface ConfigRefreshPipelineOutputs {
  /** `/<app>/<env>/`: the path the client loads. */
  parameterPrefix: string;
  /** Every parameter the file declares. */
  parameterNames: pulumi.Output<string[]>;
  /** The declared parameters that already existed and were adopted. */
  adoptedParameterNames: pulumi.Output<string[]>;
  /** Key of the Redis stream of changes. */
  streamKey: string;
  /** Primary endpoint of the stream host (TLS). */
  redisEndpoint: pulumi.Output<string>;
  /** Port of the stream host. */
  redisPort: pulumi.Output<number>;
  /** SecureString of the refresh function's Redis password (the name, never the value; for `dlq replay`). */
  redisAuthTokenParameterName: pulumi.Output<string>;
  /** The Redis user a service connects as (ioredis `username`). */
  redisServiceUserName: string;
  /** SecureString holding that user's password (the name, never the value; ioredis `password`). */
  redisServicePasswordParameterName: pulumi.Output<string>;
  /** Cloud Map namespace the instances register in: its id. */
  namespaceId: pulumi.Output<string>;
  /** Cloud Map namespace: the name `DiscoverInstances` takes. */
  namespaceName: pulumi.Output<string>;
  /** Cloud Map service: the id instances register with. */
  serviceId: pulumi.Output<string>;
  /** Cloud Map service: its name. */
  serviceName: pulumi.Output<string>;
  /** SecureString holding the token refresh calls carry. */
  refreshTokenParameterName: pulumi.Output<string>;
  /** Port the instances serve the gRPC refresh endpoint on (the one the security groups open). */
  refreshPort: number;
  /** Security group service instances attach (stream host access, refresh calls in). */
  serviceSecurityGroupId: pulumi.Output<string>;
  /** Managed IAM policy a service attaches to its task or instance role (load, tokens, Cloud Map registration). */
  serviceInstancePolicyArn: pulumi.Output<string>;
  /** The VPC the pipeline runs in. */
  vpcId: pulumi.Output<string>;
  /** Its private subnets the function and the stream host use. */
  privateSubnetIds: pulumi.Output<string[]>;
  /** Dead-letter queue of changes that were not applied: its URL. */
  deadLetterQueueUrl: pulumi.Output<string>;
  /** Dead-letter queue: its ARN. */
  deadLetterQueueArn: pulumi.Output<string>;
  /** Alarm on a non-empty dead-letter queue. */
  deadLetterAlarmArn: pulumi.Output<string>;
  /** Alarm on the refresh function's errors. */
  functionErrorAlarmArn: pulumi.Output<string>;
  /** The refresh Lambda: its name. */
  functionName: pulumi.Output<string>;
  /** The refresh Lambda: its ARN. */
  functionArn: pulumi.Output<string>;
  /** The EventBridge rule on parameter changes. */
  ruleArn: pulumi.Output<string>;
}

/** Type token of {@link ConfigRefreshPipeline}. */
export const CONFIG_REFRESH_PIPELINE_TYPE = "config-refresh-pipeline:index:ConfigRefreshPipeline";

/**
 * The whole event-driven refresh pipeline for one app and environment: the parameters declared
 * from `app_config_<env>.yaml`, the EventBridge rule on their changes with its retries and
 * dead-letter queue (+ alarm), the Redis stream host, the refresh Lambda, the Cloud Map registry
 * the instances join with the IAM policy they need, and the network they share. Its outputs are what a service needs to
 * configure the client.
 *
 * Arguments are validated before anything is declared; a conflict names both arguments.
 *
 * @example
 * ```ts
 * import { ConfigRefreshPipeline } from "config-refresh-pipeline";
 *
 * const pipeline = new ConfigRefreshPipeline("shop", {
 *   app: "shop",
 *   appConfigFile: "app_config_beta.yaml",   // env defaults to the stack name
 *   redis: { replicas: 1, multiAz: true },
 *   alarmTopicArn: oncall.arn,
 * });
 * export const streamKey = pipeline.outputs.streamKey;
 * ```
 */
export class ConfigRefreshPipeline extends pulumi.ComponentResource {
  /** Everything a service needs ({@link ConfigRefreshPipelineOutputs}), also the component's registered outputs. */
  public readonly outputs: ConfigRefreshPipelineOutputs;
  /** The settings used, defaults applied. */
  public readonly settings: PipelineSettings;

  public constructor(name: string, args: ConfigRefreshPipelineArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(CONFIG_REFRESH_PIPELINE_TYPE, name, {}, opts);
    const s = resolvePipelineSettings(name, args, pulumi.getStack());
    this.settings = s;
    const parent = { parent: this };

    const parameters = new AppConfigParameters(
      name,
      {
        file: s.appConfigFile,
        prefix: s.prefix,
        tags: args.tags,
        requireSecrets: s.requireSecrets,
      },
      parent,
    );

    const network = new PipelineNetwork(
      name,
      s.network.kind === "existing" ? s.network : { ...s.network, tags: s.tags },
      parent,
    );
    const groups = new PipelineSecurityGroups(
      name,
      {
        vpcId: network.vpcId,
        redisPort: s.redis.port,
        refreshPort: s.refreshPort,
        extraRedisClientGroupIds: s.extraSecurityGroupIds,
        tags: s.tags,
      },
      parent,
    );

    const protect = s.protectStatefulResources;
    const registry = new ServiceRegistry(name, { ...s.registry, tags: s.tags, protect }, parent);
    const redis = new RedisStream(
      name,
      {
        ...s.redis,
        streamKey: s.stream.key,
        protect,
        subnetIds: network.privateSubnetIds,
        securityGroupId: groups.redisGroupId,
        tags: s.tags,
      },
      parent,
    );
    const access = new ServiceInstanceAccess(
      name,
      {
        prefix: s.prefix,
        tokenParameterArns: [redis.servicePasswordParameter.arn, registry.refreshTokenParameter.arn],
        kmsKeyArns: s.parameterKmsKeyArns,
        serviceArn: registry.serviceArn,
        tags: s.tags,
      },
      parent,
    );
    const deadLetters = new RefreshDeadLetterQueue(name, { ...s.deadLetter, tags: s.tags }, parent);

    const fn = new RefreshFunction(
      name,
      {
        ...s.refreshFunction,
        prefix: s.prefix,
        redisUrl: redis.url,
        streamKey: s.stream.key,
        streamMaxLength: s.stream.maxLength,
        redisPasswordParameter: redis.functionPasswordParameter,
        refreshTokenParameter: registry.refreshTokenParameter,
        namespaceName: registry.namespaceName,
        serviceName: registry.serviceName,
        serviceId: registry.serviceId,
        serviceArn: registry.serviceArn,
        subnetIds: network.privateSubnetIds,
        securityGroupId: groups.functionGroupId,
        deadLetterQueueArn: deadLetters.queueArn,
        retryAttempts: s.retry.functionRetryAttempts,
        kmsKeyArns: s.parameterKmsKeyArns,
        maximumEventAgeInSeconds: s.retry.functionMaximumEventAgeInSeconds,
        ...(s.deadLetter.alarmTopicArn !== undefined ? { alarmTopicArn: s.deadLetter.alarmTopicArn } : {}),
        tags: s.tags,
      },
      parent,
    );

    const events = new ParameterChangeEvents(
      name,
      {
        prefix: s.prefix,
        functionArn: fn.functionArn,
        functionName: fn.functionName,
        deadLetterQueue: { arn: deadLetters.queueArn, url: deadLetters.queueUrl },
        maximumEventAgeInSeconds: s.retry.maximumEventAgeInSeconds,
        maximumRetryAttempts: s.retry.maximumRetryAttempts,
        tags: s.tags,
      },
      parent,
    );

    new ReconcileSchedule(
      name,
      {
        prefix: s.prefix,
        functionArn: fn.functionArn,
        functionName: fn.functionName,
        intervalMinutes: s.reconcileIntervalMinutes,
        ...(s.deadLetter.alarmTopicArn !== undefined ? { alarmTopicArn: s.deadLetter.alarmTopicArn } : {}),
        tags: s.tags,
      },
      parent,
    );

    this.outputs = {
      parameterPrefix: s.prefix,
      parameterNames: parameters.parameterNames,
      adoptedParameterNames: parameters.adoptedNames,
      streamKey: s.stream.key,
      redisEndpoint: redis.endpoint,
      redisPort: redis.port,
      redisAuthTokenParameterName: redis.functionPasswordParameter.name,
      redisServiceUserName: REDIS_USER_NAMES.service,
      redisServicePasswordParameterName: redis.servicePasswordParameter.name,
      namespaceId: registry.namespaceId,
      namespaceName: registry.namespaceName,
      serviceId: registry.serviceId,
      serviceName: registry.serviceName,
      refreshTokenParameterName: registry.refreshTokenParameter.name,
      refreshPort: s.refreshPort,
      serviceSecurityGroupId: groups.serviceGroupId,
      serviceInstancePolicyArn: access.policyArn,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      deadLetterQueueUrl: deadLetters.queueUrl,
      deadLetterQueueArn: deadLetters.queueArn,
      deadLetterAlarmArn: deadLetters.alarmArn,
      functionErrorAlarmArn: fn.errorAlarmArn,
      functionName: fn.functionName,
      functionArn: fn.functionArn,
      ruleArn: events.ruleArn,
    };
    this.registerOutputs(this.outputs);
  }

  /**
   * Everything a service needs to configure the client and join the pipeline, as one object to
   * export from a stack (no secret values: the tokens are given by parameter name).
   *
   * @example
   * ```ts
   * export const refresh = pipeline.stackOutputs();   // or, as the whole stack's outputs:
   * export = pipeline.stackOutputs();
   * ```
   */
  public stackOutputs(): ConfigRefreshPipelineOutputs {
    return this.outputs;
  }
}
