import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FAN_OUT_DEFAULTS, lambdaEnvironment } from "../../runtime/lambda/environment";
import {
  DEFAULT_METRICS_NAMESPACE,
  pipelineServiceName,
  SERVICE_NAME_VARIABLE,
} from "../../runtime/lambda/observability/telemetry";
import { REVERT_METRICS } from "../../runtime/lambda/revert/RefusedValueReverter";
import { REDIS_USER_NAMES } from "../../runtime/protocol/redisAccess";
import type { RefreshFunctionRuntime } from "../pipeline/args";
import { refreshLogGroupName } from "../pipeline/awsNameRules";
import { bundleRefreshHandler, HANDLER, HANDLER_FILE, PROTO_FILE } from "./bundle";
import { firstOccurrenceAlarm } from "../alarms/firstOccurrenceAlarm";
import { refreshFunctionPolicy } from "./policy";

/** Type token of {@link RefreshFunction}. */
export const REFRESH_FUNCTION_TYPE = "config-refresh-pipeline:refreshFunction:RefreshFunction";

/** Lambda's limit on a function's environment variables, names and values together (UTF-8 bytes). */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4_096;

/** Arguments of {@link RefreshFunction} (defaults already applied by the pipeline). */
export interface RefreshFunctionArgs {
  /** `/<app>/<env>/`: the parameters it serves. */
  prefix: string;
  /** Lambda runtime, Node.js 20 or newer; the bundle targets the same major. */
  runtime: RefreshFunctionRuntime;
  /** `arm64` or `x86_64`. */
  architecture: "arm64" | "x86_64";
  /** MB. */
  memorySize: number;
  /** Seconds. */
  timeoutSeconds: number;
  /** Days the log group keeps events. */
  logRetentionDays: number;
  /** Deadline of one Refresh call, ms. */
  rpcDeadlineMs: number;
  /** Retries of a failed Refresh call within one invocation. */
  rpcRetries: number;
  /** Revert a value the whole fleet refuses (grants `ssm:PutParameter` on the prefix, adds the revert alarm). */
  revertRefusedValues: boolean;
  /** Tenant scope pattern under the prefix, if any. */
  scopePattern?: string;
  /** Refresh calls over TLS: the CA the instances' certificates chain to, and the name they hold. */
  refreshCallTls?: { caCertificatePem: string; serverName?: string };
  /** `rediss://host:port` of the stream host. */
  redisUrl: pulumi.Input<string>;
  /** Key of the stream it appends to. */
  streamKey: string;
  /** Approximate MAXLEN of the stream. */
  streamMaxLength: number;
  /** The SecureStrings holding its Redis user's password and the refresh token: the function gets their names. */
  redisPasswordParameter: aws.ssm.Parameter;
  refreshTokenParameter: aws.ssm.Parameter;
  /** Cloud Map namespace (HttpName) and service of the instances. */
  namespaceName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  /** Id and ARN of that service: the function deregisters stale registrations in it. */
  serviceId: pulumi.Input<string>;
  serviceArn: pulumi.Input<string>;
  /** Private subnets the function attaches to. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The function's own security group. */
  securityGroupId: pulumi.Input<string>;
  /** Where events go after the function failed them (Lambda's on-failure destination). */
  deadLetterQueueArn: pulumi.Input<string>;
  /** Lambda's asynchronous retries after a function error (0–2). */
  retryAttempts: number;
  /** How long Lambda keeps an event for those retries (60–21600 s). */
  maximumEventAgeInSeconds: number;
  /** SNS topic notified when the function fails (and when it works again). */
  alarmTopicArn?: pulumi.Input<string>;
  /** Customer-managed KMS keys of SecureStrings under the prefix: `kms:Decrypt` through SSM. */
  kmsKeyArns?: pulumi.Input<string>[];
  /** Tags of every resource. */
  tags: Record<string, string>;
}

/**
 * The refresh Lambda: the handler of `runtime/lambda` bundled by esbuild at program time (with
 * `refresh.proto` beside it), in the VPC's private subnets behind its own security group, with a
 * least-privilege role, its own log group, failed asynchronous invocations sent to the DLQ, and an
 * alarm on its errors: with retries for up to an hour, a failing function reaches the DLQ (and
 * its alarm) that late, while this one fires within five minutes.
 *
 * Its environment is built with `lambdaEnvironment` and holds the NAMES of the token parameters,
 * never a secret value.
 *
 * @example
 * ```ts
 * const fn = new RefreshFunction("shop-beta", { prefix: "/shop/beta/", redisUrl: redis.url, ... });
 * fn.functionArn; // the EventBridge target
 * ```
 */
export class RefreshFunction extends pulumi.ComponentResource {
  /** Name of the Lambda function. */
  public readonly functionName: pulumi.Output<string>;
  /** ARN of the Lambda function (the rule's target). */
  public readonly functionArn: pulumi.Output<string>;
  /** ARN of its execution role. */
  public readonly roleArn: pulumi.Output<string>;
  /** Its log group. */
  public readonly logGroupName: pulumi.Output<string>;
  /** ARN of the alarm on its errors. */
  public readonly errorAlarmArn: pulumi.Output<string>;

  public constructor(name: string, args: RefreshFunctionArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(REFRESH_FUNCTION_TYPE, name, {}, opts);
    const bundle = bundleRefreshHandler({ nodeMajor: Number(/^nodejs(\d+)/.exec(args.runtime)?.[1] ?? 22) });
    for (const warning of bundle.warnings) void pulumi.log.debug(`esbuild: ${warning}`, this);
    const code = new pulumi.asset.AssetArchive({
      // StringAssets, not FileAssets: the archive then records no absolute path.
      [HANDLER_FILE]: new pulumi.asset.StringAsset(bundle.code),
      [PROTO_FILE]: new pulumi.asset.StringAsset(bundle.proto),
    });

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-refresh`,
      {
        name: refreshLogGroupName(args.prefix),
        retentionInDays: args.logRetentionDays,
        tags: args.tags,
      },
      { parent: this },
    );
    const role = new aws.iam.Role(
      `${name}-refresh`,
      {
        description: `Execution role of the config-refresh function for ${args.prefix}`,
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags: args.tags,
      },
      { parent: this },
    );
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const policy = new aws.iam.RolePolicy(
      `${name}-refresh`,
      {
        role: role.id,
        policy: pulumi.jsonStringify(
          refreshFunctionPolicy({
            partition,
            region,
            accountId,
            prefix: args.prefix,
            tokenParameterArns: [args.redisPasswordParameter.arn, args.refreshTokenParameter.arn],
            ...(args.kmsKeyArns !== undefined ? { kmsKeyArns: args.kmsKeyArns } : {}),
            namespaceName: args.namespaceName,
            serviceName: args.serviceName,
            serviceArn: args.serviceArn,
            deadLetterQueueArn: args.deadLetterQueueArn,
            logGroupArn: logGroup.arn,
            revertRefusedValues: args.revertRefusedValues,
          }),
        ),
      },
      { parent: this },
    );

    const variables = pulumi
      .all([
        args.redisUrl,
        args.redisPasswordParameter.name,
        args.refreshTokenParameter.name,
        args.namespaceName,
        args.serviceName,
        args.serviceId,
      ])
      .apply(([redisUrl, redisAuthTokenParameter, refreshTokenParameter, namespaceName, serviceName, serviceId]) => ({
        [SERVICE_NAME_VARIABLE]: pipelineServiceName(args.prefix),
        ...lambdaEnvironment({
          parameterPrefix: args.prefix,
          redisUrl,
          redisAuthTokenParameter,
          redisUser: REDIS_USER_NAMES.function,
          streamKey: args.streamKey,
          streamMaxLength: args.streamMaxLength,
          namespaceName,
          serviceName,
          serviceId,
          refreshTokenParameter,
          scopePattern: args.scopePattern,
          rpcDeadlineMs: args.rpcDeadlineMs,
          rpcRetries: args.rpcRetries,
          fanOutConcurrency: FAN_OUT_DEFAULTS.concurrency,
          staleAfterInvocations: FAN_OUT_DEFAULTS.staleAfterInvocations,
          staleAfterMs: FAN_OUT_DEFAULTS.staleAfterMs,
          discoveryMaxResults: FAN_OUT_DEFAULTS.discoveryMaxResults,
          // Off is the function's default: the variable is set only when on.
          revertRefused: args.revertRefusedValues ? true : undefined,
          rpcTlsCa: args.refreshCallTls?.caCertificatePem,
          rpcTlsServerName: args.refreshCallTls?.serverName,
        }),
      }))
      .apply((environment) => {
        // Lambda refuses the function at deploy time past 4 KB (names and values, UTF-8): say so at preview.
        const bytes = Object.entries(environment).reduce(
          (total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value),
          0,
        );
        if (bytes > LAMBDA_ENVIRONMENT_MAX_BYTES) {
          throw new Error(
            `the refresh function's environment is ${bytes} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_MAX_BYTES}: ` +
              "shorten the names it holds (prefix, stream key, Cloud Map names) or refreshCallTls's CA",
          );
        }
        return environment;
      });

    const fn = new aws.lambda.Function(
      `${name}-refresh`,
      {
        description: `Publishes Parameter Store changes under ${args.prefix} to the Redis stream and the instances`,
        runtime: args.runtime,
        architectures: [args.architecture],
        handler: HANDLER,
        code,
        role: role.arn,
        memorySize: args.memorySize,
        timeout: args.timeoutSeconds,
        environment: { variables },
        vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        tags: args.tags,
      },
      { parent: this, dependsOn: [policy, logGroup] },
    );

    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-refresh`,
      {
        functionName: fn.name,
        maximumRetryAttempts: args.retryAttempts,
        maximumEventAgeInSeconds: args.maximumEventAgeInSeconds,
        destinationConfig: { onFailure: { destination: args.deadLetterQueueArn } },
      },
      { parent: this, dependsOn: [policy] },
    );

    const errorAlarm = firstOccurrenceAlarm(
      `${name}-refresh-errors`,
      {
        description:
          `The config-refresh function for ${args.prefix} is failing: changes are retried, then dead-lettered; ` +
          "instances pick them up on their next reload",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: fn.name },
        statistic: "Sum",
        period: 300,
        ...(args.alarmTopicArn !== undefined ? { alarmTopicArn: args.alarmTopicArn } : {}),
        tags: args.tags,
      },
      { parent: this },
    );

    if (args.revertRefusedValues) {
      firstOccurrenceAlarm(
        `${name}-refresh-reverts`,
        {
          description:
            `The config-refresh function for ${args.prefix} reverted a value every instance refused: ` +
            "its log line and the parameter's description say which, why and by how many instances; fix the value",
          namespace: DEFAULT_METRICS_NAMESPACE,
          metricName: REVERT_METRICS.reverts,
          dimensions: { service: pipelineServiceName(args.prefix) },
          statistic: "Sum",
          period: 60,
          ...(args.alarmTopicArn !== undefined ? { alarmTopicArn: args.alarmTopicArn } : {}),
          tags: args.tags,
        },
        { parent: this },
      );
    }

    this.functionName = fn.name;
    this.functionArn = fn.arn;
    this.roleArn = role.arn;
    this.logGroupName = logGroup.name;
    this.errorAlarmArn = errorAlarm.arn;
    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      roleArn: this.roleArn,
      logGroupName: this.logGroupName,
      errorAlarmArn: this.errorAlarmArn,
    });
  }
}
