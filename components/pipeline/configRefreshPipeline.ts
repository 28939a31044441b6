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
import type { ConfigRefreshPipelineArgs } from "./args";
import { resolvePipelineSettings, type PipelineSettings } from "./settings";

/** The outputs of {@link ConfigRefreshPipeline}, as {@link ConfigRefreshPipeline.stackOutputs} returns them. */
export interface ConfigRefreshPipelineOutputs {
  parameterPrefix: string;
  parameterNames: pulumi.Output<string[]>;
  adoptedParameterNames: pulumi.Output<string[]>;
  streamKey: string;
  redisEndpoint: pulumi.Output<string>;
  redisPort: pulumi.Output<number>;
  redisAuthTokenParameterName: pulumi.Output<string>;
  namespaceId: pulumi.Output<string>;
  namespaceName: pulumi.Output<string>;
  serviceId: pulumi.Output<string>;
  serviceName: pulumi.Output<string>;
  refreshTokenParameterName: pulumi.Output<string>;
  refreshPort: number;
  serviceSecurityGroupId: pulumi.Output<string>;
  serviceInstancePolicyArn: pulumi.Output<string>;
  vpcId: pulumi.Output<string>;
  privateSubnetIds: pulumi.Output<string[]>;
  deadLetterQueueUrl: pulumi.Output<string>;
  deadLetterQueueArn: pulumi.Output<string>;
  deadLetterAlarmArn: pulumi.Output<string>;
  functionErrorAlarmArn: pulumi.Output<string>;
  functionName: pulumi.Output<string>;
  functionArn: pulumi.Output<string>;
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
 * export const streamKey = pipeline.streamKey;
 * ```
 */
export class ConfigRefreshPipeline extends pulumi.ComponentResource {
  /** `/<app>/<env>/`: the path the client loads. */
  public readonly parameterPrefix: string;
  /** Every parameter the file declares, and those that already existed and were adopted. */
  public readonly parameterNames: pulumi.Output<string[]>;
  public readonly adoptedParameterNames: pulumi.Output<string[]>;
  /** Key of the Redis stream of changes. */
  public readonly streamKey: string;
  /** Primary endpoint of the stream host (TLS) and its port. */
  public readonly redisEndpoint: pulumi.Output<string>;
  public readonly redisPort: pulumi.Output<number>;
  /** SecureString holding the Redis AUTH token (the name, never the value). */
  public readonly redisAuthTokenParameterName: pulumi.Output<string>;
  /** Cloud Map namespace and service the instances register in. */
  public readonly namespaceId: pulumi.Output<string>;
  public readonly namespaceName: pulumi.Output<string>;
  public readonly serviceId: pulumi.Output<string>;
  public readonly serviceName: pulumi.Output<string>;
  /** SecureString holding the token refresh calls carry. */
  public readonly refreshTokenParameterName: pulumi.Output<string>;
  /** Port the instances serve the gRPC refresh endpoint on. */
  public readonly refreshPort: number;
  /** Security group service instances attach (stream host access, refresh calls in). */
  public readonly serviceSecurityGroupId: pulumi.Output<string>;
  /** Managed IAM policy a service attaches to its task or instance role (load, tokens, Cloud Map registration). */
  public readonly serviceInstancePolicyArn: pulumi.Output<string>;
  /** The VPC and private subnets the pipeline runs in. */
  public readonly vpcId: pulumi.Output<string>;
  public readonly privateSubnetIds: pulumi.Output<string[]>;
  /** Dead-letter queue of changes that were not applied, and its alarm. */
  public readonly deadLetterQueueUrl: pulumi.Output<string>;
  public readonly deadLetterQueueArn: pulumi.Output<string>;
  public readonly deadLetterAlarmArn: pulumi.Output<string>;
  /** The refresh Lambda, and the alarm on its errors. */
  public readonly functionName: pulumi.Output<string>;
  public readonly functionArn: pulumi.Output<string>;
  public readonly functionErrorAlarmArn: pulumi.Output<string>;
  /** The EventBridge rule on parameter changes. */
  public readonly ruleArn: pulumi.Output<string>;
  /** The settings used, defaults applied. */
  public readonly settings: PipelineSettings;

  public constructor(name: string, args: ConfigRefreshPipelineArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(CONFIG_REFRESH_PIPELINE_TYPE, name, {}, opts);
    const s = resolvePipelineSettings(name, args, pulumi.getStack());
    this.settings = s;
    const parent = { parent: this };

    const parameters = new AppConfigParameters(name, {
      file: s.appConfigFile, prefix: s.prefix, tags: args.tags, requireSecrets: s.requireSecrets,
    }, parent);

    const network = new PipelineNetwork(name, s.network.kind === "existing" ? s.network : { ...s.network, tags: s.tags }, parent);
    const groups = new PipelineSecurityGroups(name, {
      vpcId: network.vpcId,
      redisPort: s.redis.port,
      refreshPort: s.refreshPort,
      extraRedisClientGroupIds: s.extraSecurityGroupIds,
      tags: s.tags,
    }, parent);

    const registry = new ServiceRegistry(name, { ...s.registry, tags: s.tags }, parent);
    const redis = new RedisStream(name, {
      ...s.redis,
      subnetIds: network.privateSubnetIds,
      securityGroupId: groups.redisGroupId,
      tags: s.tags,
    }, parent);
    const access = new ServiceInstanceAccess(name, {
      prefix: s.prefix,
      tokenParameterArns: [redis.authTokenParameter.arn, registry.refreshTokenParameter.arn],
      serviceArn: registry.serviceArn,
      tags: s.tags,
    }, parent);
    const deadLetters = new RefreshDeadLetterQueue(name, { ...s.deadLetter, tags: s.tags }, parent);

    const fn = new RefreshFunction(name, {
      ...s.refreshFunction,
      prefix: s.prefix,
      redisUrl: redis.url,
      streamKey: s.stream.key,
      streamMaxLength: s.stream.maxLength,
      redisAuthTokenParameter: redis.authTokenParameter,
      refreshTokenParameter: registry.refreshTokenParameter,
      namespaceName: registry.namespaceName,
      serviceName: registry.serviceName,
      serviceId: registry.serviceId,
      serviceArn: registry.serviceArn,
      subnetIds: network.privateSubnetIds,
      securityGroupId: groups.functionGroupId,
      deadLetterQueueArn: deadLetters.queueArn,
      retryAttempts: s.retry.functionRetryAttempts,
      maximumEventAgeInSeconds: s.retry.functionMaximumEventAgeInSeconds,
      ...(s.deadLetter.alarmTopicArn !== undefined ? { alarmTopicArn: s.deadLetter.alarmTopicArn } : {}),
      tags: s.tags,
    }, parent);

    const events = new ParameterChangeEvents(name, {
      prefix: s.prefix,
      functionArn: fn.functionArn,
      functionName: fn.functionName,
      deadLetterQueue: { arn: deadLetters.queueArn, url: deadLetters.queueUrl },
      maximumEventAgeInSeconds: s.retry.maximumEventAgeInSeconds,
      maximumRetryAttempts: s.retry.maximumRetryAttempts,
      tags: s.tags,
    }, parent);

    this.parameterPrefix = s.prefix;
    this.parameterNames = parameters.parameterNames;
    this.adoptedParameterNames = parameters.adoptedNames;
    this.streamKey = s.stream.key;
    this.redisEndpoint = redis.endpoint;
    this.redisPort = redis.port;
    this.redisAuthTokenParameterName = redis.authTokenParameter.name;
    this.namespaceId = registry.namespaceId;
    this.namespaceName = registry.namespaceName;
    this.serviceId = registry.serviceId;
    this.serviceName = registry.serviceName;
    this.refreshTokenParameterName = registry.refreshTokenParameter.name;
    this.refreshPort = s.refreshPort;
    this.serviceSecurityGroupId = groups.serviceGroupId;
    this.serviceInstancePolicyArn = access.policyArn;
    this.vpcId = network.vpcId;
    this.privateSubnetIds = network.privateSubnetIds;
    this.deadLetterQueueUrl = deadLetters.queueUrl;
    this.deadLetterQueueArn = deadLetters.queueArn;
    this.deadLetterAlarmArn = deadLetters.alarmArn;
    this.functionName = fn.functionName;
    this.functionArn = fn.functionArn;
    this.functionErrorAlarmArn = fn.errorAlarmArn;
    this.ruleArn = events.ruleArn;
    this.registerOutputs(this.stackOutputs());
  }

  /**
   * Everything a service needs to configure the client and join the pipeline, as one object to
   * export from a stack (no secret values: the tokens are given by parameter name).
   *
   * @example
   * ```ts
   * export const refresh = pipeline.stackOutputs();
   * ```
   */
  public stackOutputs(): ConfigRefreshPipelineOutputs {
    return {
      parameterPrefix: this.parameterPrefix,
      parameterNames: this.parameterNames,
      adoptedParameterNames: this.adoptedParameterNames,
      streamKey: this.streamKey,
      redisEndpoint: this.redisEndpoint,
      redisPort: this.redisPort,
      redisAuthTokenParameterName: this.redisAuthTokenParameterName,
      namespaceId: this.namespaceId,
      namespaceName: this.namespaceName,
      serviceId: this.serviceId,
      serviceName: this.serviceName,
      refreshTokenParameterName: this.refreshTokenParameterName,
      refreshPort: this.refreshPort,
      serviceSecurityGroupId: this.serviceSecurityGroupId,
      serviceInstancePolicyArn: this.serviceInstancePolicyArn,
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      deadLetterQueueArn: this.deadLetterQueueArn,
      deadLetterAlarmArn: this.deadLetterAlarmArn,
      functionName: this.functionName,
      functionArn: this.functionArn,
      functionErrorAlarmArn: this.functionErrorAlarmArn,
      ruleArn: this.ruleArn,
    };
  }
}
