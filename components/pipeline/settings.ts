/**
 * The defaults of {@link ConfigRefreshPipelineArgs}, spelled out, and the one function that
 * applies them and rejects conflicting or out-of-range arguments, and names AWS would refuse
 * (`awsNameRules.ts`), before any resource is declared.
 * No Pulumi runtime import: it is tested as a plain function.
 */
import type * as pulumi from "@pulumi/pulumi";
import { prefixProblems, secretParameterNameProblems, segmentProblems } from "../appConfig/ssmRules";
import {
  defaultPipelineNames,
  PIPELINE_CONTRACT_DEFAULTS as CONTRACT,
  PIPELINE_CONTRACT_LIMITS as LIMITS,
  RECONCILE_DEFAULTS,
  registryNameProblems,
  type IntegerRange,
} from "../../runtime/protocol/pipelineContract";
import { ScopePattern } from "../../runtime/protocol/ScopePattern";
import type { RedisStreamArgs } from "../redisStream/redisStream";
import { derivedNameProblems } from "./awsNameRules";
import type { RefreshFunctionArgs } from "../refreshFunction/refreshFunction";
import {
  type ConfigRefreshPipelineArgs,
  type NatGatewayPlacement,
  REFRESH_CA_MAX_BYTES,
  type RefreshFunctionRuntime,
  type StreamEngine,
} from "./args";

/**
 * Defaults right for a small team; a stack overrides them in `Pulumi.<stack>.yaml`. Those the
 * runtime reads too (refresh port, stream length, RPC deadline and retries) come from the pipeline
 * contract (`runtime/protocol/pipelineContract.ts`), as do the default names.
 */
export const PIPELINE_DEFAULTS = {
  createdVpc: { availabilityZoneCount: 2, natGateways: "Single" as NatGatewayPlacement, cidrBlock: "10.0.0.0/16" },
  refreshPort: CONTRACT.refreshPort,
  redis: {
    engine: "valkey" as StreamEngine,
    nodeType: "cache.t4g.micro",
    replicas: 0,
    multiAz: false,
    port: 6379,
    // The stream is derived data: after a loss instances see a new epoch and reload from SSM.
    snapshotRetentionDays: 0,
  },
  engineVersions: { valkey: "8.0", redis: "7.1" } as Record<StreamEngine, string>,
  stream: { maxLength: CONTRACT.streamMaxLength },
  retry: {
    // Past an hour the instances' TTL reload has applied the change anyway; the DLQ alarm tells a
    // human within that hour instead of EventBridge's default of retrying for 24 hours.
    maximumEventAgeInSeconds: 3_600,
    maximumRetryAttempts: 24,
    functionRetryAttempts: 2,
    functionMaximumEventAgeInSeconds: 3_600,
  },
  deadLetterRetentionDays: 14,
  refreshFunction: {
    // Node.js 20 leaves Lambda's standard support in 2026; 22 is the current LTS runtime.
    runtime: "nodejs22.x" as RefreshFunctionRuntime,
    architecture: "arm64" as "arm64" | "x86_64",
    memorySize: 256,
    timeoutSeconds: 30,
    logRetentionDays: 30,
    rpcDeadlineMs: CONTRACT.rpcDeadlineMs,
    rpcRetries: CONTRACT.rpcRetries,
    revertRefusedValues: false,
  },
};

/** Every setting of the pipeline, defaults applied (each field is documented on {@link ConfigRefreshPipelineArgs}). */
export interface PipelineSettings {
  /** First segment of the prefix. */
  app: string;
  /** Second segment of the prefix (default: the stack name). */
  env: string;
  /** `/<app>/<env>/`. */
  prefix: string;
  appConfigFile: string;
  requireSecrets: boolean;
  network:
    | { kind: "existing"; vpcId: pulumi.Input<string>; subnetIds: pulumi.Input<string>[] }
    | { kind: "created"; availabilityZoneCount: number; natGateways: NatGatewayPlacement; cidrBlock: string };
  extraSecurityGroupIds: pulumi.Input<string>[];
  /** Customer-managed keys of SecureStrings under the prefix (`kms:Decrypt` through SSM). */
  parameterKmsKeyArns: pulumi.Input<string>[];
  refreshPort: number;
  /** The stream host, as {@link RedisStream} takes it (the network parts come from the pipeline). */
  redis: Omit<RedisStreamArgs, "subnetIds" | "securityGroupId" | "tags" | "protect" | "streamKey">;
  stream: { key: string; maxLength: number };
  retry: {
    maximumEventAgeInSeconds: number;
    maximumRetryAttempts: number;
    functionRetryAttempts: number;
    functionMaximumEventAgeInSeconds: number;
  };
  deadLetter: { retentionDays: number; alarmTopicArn?: pulumi.Input<string> };
  /** Minutes between two reconcile sweeps. */
  reconcileIntervalMinutes: number;
  /** The function's own settings, as {@link RefreshFunction} takes them (the wiring comes from the pipeline). */
  refreshFunction: Pick<
    RefreshFunctionArgs,
    | "runtime"
    | "architecture"
    | "memorySize"
    | "timeoutSeconds"
    | "logRetentionDays"
    | "rpcDeadlineMs"
    | "rpcRetries"
    | "scopePattern"
    | "revertRefusedValues"
    | "refreshCallTls"
  >;
  registry: { namespaceName: string; serviceName: string; refreshTokenParameterName: string };
  /** `protect` on the replication group and the Cloud Map namespace and service. */
  protectStatefulResources: boolean;
  /** The caller's tags plus `managed-by` and `config-refresh:prefix`. */
  tags: Record<string, string>;
}

/** Thrown by {@link resolvePipelineSettings}: lists every problem with the arguments, one per line. */
export class PipelineArgsError extends Error {
  /** Every problem, one sentence each. */
  public readonly problems: readonly string[];

  public constructor(name: string, problems: string[]) {
    super(`ConfigRefreshPipeline "${name}" has invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PipelineArgsError";
    this.problems = problems;
  }
}

/** Retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
const RUNTIMES: readonly RefreshFunctionRuntime[] = ["nodejs20.x", "nodejs22.x", "nodejs24.x"];
const ENGINES: readonly StreamEngine[] = ["valkey", "redis"];
const NAT_PLACEMENTS: readonly NatGatewayPlacement[] = ["Single", "OnePerAz"];

/**
 * Applies the defaults to `args` and validates them. Throws {@link PipelineArgsError} naming every
 * problem; a conflict names both arguments.
 *
 * @example
 * ```ts
 * const settings = resolvePipelineSettings("shop", { app: "shop", appConfigFile: "app_config_beta.yaml" }, "beta");
 * settings.prefix; // "/shop/beta/"
 * ```
 */
export function resolvePipelineSettings(
  name: string,
  args: ConfigRefreshPipelineArgs,
  stack: string,
): PipelineSettings {
  const problems: string[] = [];
  const D = PIPELINE_DEFAULTS;
  const app = args.app;
  const env = args.env ?? stack;
  if (typeof app !== "string" || app === "")
    problems.push("app is required (the first segment of the parameter prefix)");
  else for (const p of segmentProblems(app)) problems.push(`app: ${p}`);
  for (const p of segmentProblems(env)) problems.push(`env: ${p}`);
  if (typeof args.appConfigFile !== "string" || args.appConfigFile === "")
    problems.push("appConfigFile is required (the app_config_<env>.yaml to declare)");
  const names = defaultPipelineNames(app, env);
  const { prefix } = names;
  if (problems.length === 0) problems.push(...prefixProblems(prefix));

  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  const integer = (label: string, value: number, min: number, max: number, why = ""): number => {
    check(
      Number.isInteger(value) && value >= min && value <= max,
      `${label} must be an integer from ${min} to ${max}${why}, got ${JSON.stringify(value)}`,
    );
    return value;
  };
  const inRange = (label: string, value: number, range: IntegerRange, why = ""): number =>
    integer(label, value, range.min, range.max, why);
  const oneOf = <T>(label: string, value: T, allowed: readonly T[]): T => {
    check(
      allowed.includes(value),
      `${label} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(value)}`,
    );
    return value;
  };

  // Network: an existing VPC with its subnets, or one created here.
  let network: PipelineSettings["network"];
  if (args.vpcId !== undefined || args.subnetIds !== undefined) {
    check(
      args.vpcId !== undefined,
      "subnetIds was given without vpcId: " +
        "give both (an existing VPC and its private subnets) or neither (a VPC is created)",
    );
    check(
      args.subnetIds !== undefined,
      "vpcId was given without subnetIds: the function and the stream host need the VPC's private subnets",
    );
    check(
      args.subnetIds === undefined || (Array.isArray(args.subnetIds) && args.subnetIds.length > 0),
      "subnetIds must list at least one subnet",
    );
    check(
      args.createdVpc === undefined,
      "createdVpc and vpcId conflict: createdVpc describes a VPC this component creates, vpcId an existing one",
    );
    network = { kind: "existing", vpcId: args.vpcId ?? "", subnetIds: args.subnetIds ?? [] };
  } else {
    const created = withDefaults(D.createdVpc, args.createdVpc);
    integer(
      "createdVpc.availabilityZoneCount",
      created.availabilityZoneCount,
      2,
      6,
      " (ElastiCache and Lambda want two zones at least)",
    );
    oneOf("createdVpc.natGateways", created.natGateways, NAT_PLACEMENTS);
    check(
      /^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/.test(created.cidrBlock),
      `createdVpc.cidrBlock must be an IPv4 CIDR from /16 to /24, got ${JSON.stringify(created.cidrBlock)}`,
    );
    network = { kind: "created", ...created };
  }

  const refreshPort = inRange("refreshPort", args.refreshPort ?? D.refreshPort, LIMITS.refreshPort);

  // Stream host.
  const engine = oneOf("redis.engine", args.redis?.engine ?? D.redis.engine, ENGINES);
  const redis = {
    ...withDefaults({ ...D.redis, engineVersion: D.engineVersions[engine] ?? D.engineVersions.valkey }, args.redis),
    functionPasswordParameterName: args.redisAuthTokenParameterName ?? names.redisAuthTokenParameterName,
    servicePasswordParameterName: args.redisServicePasswordParameterName ?? names.redisServicePasswordParameterName,
  };
  const major = /^(\d+)(\.\d+)?(\.\d+)?$/.exec(redis.engineVersion);
  check(
    major !== null && Number(major[1]) >= 7,
    `redis.engineVersion must be 7 or newer (major.minor, e.g. "7.2"), got ${JSON.stringify(redis.engineVersion)}`,
  );
  check(
    /^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(redis.nodeType),
    `redis.nodeType must be an ElastiCache node type such as "cache.t4g.micro", got ${JSON.stringify(redis.nodeType)}`,
  );
  integer("redis.replicas", redis.replicas, 0, 5);
  integer("redis.port", redis.port, 1, 65535);
  integer("redis.snapshotRetentionDays", redis.snapshotRetentionDays, 0, 35);
  check(
    typeof redis.multiAz === "boolean",
    `redis.multiAz must be true or false, got ${JSON.stringify(redis.multiAz)}`,
  );
  check(
    !(redis.multiAz && redis.replicas === 0),
    "redis.multiAz is true but redis.replicas is 0: multi-AZ needs at least one replica to fail over to",
  );
  check(
    !(redis.multiAz && network.kind === "existing" && network.subnetIds.length < 2),
    "redis.multiAz is true but subnetIds lists fewer than 2 subnets: multi-AZ needs subnets in two zones at least",
  );
  check(
    redis.port !== refreshPort,
    `redis.port and refreshPort are both ${refreshPort}: ` +
      "the instances' refresh server cannot share the stream host's port",
  );

  const stream = { key: args.stream?.key ?? names.streamKey, maxLength: args.stream?.maxLength ?? D.stream.maxLength };
  check(typeof stream.key === "string" && stream.key !== "", "stream.key must be a non-empty string");
  check(
    typeof stream.key !== "string" || !/\s/.test(stream.key),
    `stream.key may not contain whitespace (the Redis users' access strings name it), ` +
      `got ${JSON.stringify(stream.key)}`,
  );
  inRange("stream.maxLength", stream.maxLength, LIMITS.streamMaxLength);

  // Retries: EventBridge's and Lambda's own limits.
  const retry = withDefaults(D.retry, args.retry);
  integer("retry.maximumEventAgeInSeconds", retry.maximumEventAgeInSeconds, 60, 86_400, " (EventBridge's limit)");
  integer("retry.maximumRetryAttempts", retry.maximumRetryAttempts, 0, 185, " (EventBridge's limit)");
  integer(
    "retry.functionRetryAttempts",
    retry.functionRetryAttempts,
    0,
    2,
    " (Lambda's asynchronous invocation limit)",
  );
  integer(
    "retry.functionMaximumEventAgeInSeconds",
    retry.functionMaximumEventAgeInSeconds,
    60,
    21_600,
    " (Lambda's asynchronous invocation limit)",
  );
  const deadLetter = {
    retentionDays: integer(
      "deadLetterRetentionDays",
      args.deadLetterRetentionDays ?? D.deadLetterRetentionDays,
      1,
      14,
      " (SQS keeps a message 14 days at most)",
    ),
    ...(args.alarmTopicArn !== undefined ? { alarmTopicArn: args.alarmTopicArn } : {}),
  };

  const reconcileIntervalMinutes = inRange(
    "reconcileIntervalMinutes",
    args.reconcileIntervalMinutes ?? RECONCILE_DEFAULTS.intervalMinutes,
    RECONCILE_DEFAULTS.intervalLimits,
    " (EventBridge's rate() takes whole minutes)",
  );

  // The function.
  const fn = withDefaults(D.refreshFunction, args.refreshFunction);
  oneOf("refreshFunction.runtime", fn.runtime, RUNTIMES);
  oneOf("refreshFunction.architecture", fn.architecture, ["arm64", "x86_64"] as const);
  integer("refreshFunction.memorySize", fn.memorySize, 128, 10_240);
  integer("refreshFunction.timeoutSeconds", fn.timeoutSeconds, 3, 900);
  oneOf("refreshFunction.logRetentionDays", fn.logRetentionDays, LOG_RETENTION_DAYS as readonly number[]);
  inRange("refreshFunction.rpcDeadlineMs", fn.rpcDeadlineMs, LIMITS.rpcDeadlineMs);
  inRange("refreshFunction.rpcRetries", fn.rpcRetries, LIMITS.rpcRetries);
  check(
    fn.rpcDeadlineMs * (fn.rpcRetries + 1) < fn.timeoutSeconds * 1000,
    "refreshFunction.rpcDeadlineMs × (refreshFunction.rpcRetries + 1) = " +
      `${fn.rpcDeadlineMs * (fn.rpcRetries + 1)} ms does not fit in refreshFunction.timeoutSeconds = ` +
      `${fn.timeoutSeconds} s: the function would time out before its last refresh call`,
  );
  const tls = args.refreshFunction?.refreshCallTls;
  if (tls !== undefined) {
    const pem = tls.caCertificatePem;
    check(
      typeof pem === "string" && /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/.test(pem.trim()),
      "refreshFunction.refreshCallTls.caCertificatePem must be a PEM certificate (-----BEGIN CERTIFICATE----- ...), " +
        "read at program time",
    );
    const pemBytes = typeof pem === "string" ? Buffer.byteLength(pem) : 0;
    check(
      pemBytes <= REFRESH_CA_MAX_BYTES,
      `refreshFunction.refreshCallTls.caCertificatePem is ${pemBytes} bytes, ` +
        `over ${REFRESH_CA_MAX_BYTES}: Lambda keeps the function's whole environment within 4 KB; give the one CA ` +
        "that signs the instances' certificates (an EC key's is about 700 bytes)",
    );
    check(
      tls.serverName === undefined ||
        /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(tls.serverName),
      `refreshFunction.refreshCallTls.serverName must be a DNS name, got ${JSON.stringify(tls.serverName)}`,
    );
  }
  if (args.scopePattern !== undefined) {
    const pattern = args.scopePattern;
    problems.push(...ScopePattern.problems(pattern, prefix).map((p) => `scopePattern ${JSON.stringify(pattern)} ${p}`));
  }

  // Registry and the two generated secrets.
  const registry = {
    namespaceName: args.namespaceName ?? names.namespaceName,
    serviceName: args.serviceName ?? names.serviceName,
    refreshTokenParameterName: args.refreshTokenParameterName ?? names.refreshTokenParameterName,
  };
  problems.push(...registryNameProblems(registry));
  problems.push(
    ...secretParameterNameProblems("redisAuthTokenParameterName", redis.functionPasswordParameterName, prefix),
    ...secretParameterNameProblems("redisServicePasswordParameterName", redis.servicePasswordParameterName, prefix),
    ...secretParameterNameProblems("refreshTokenParameterName", registry.refreshTokenParameterName, prefix),
  );
  const protectStatefulResources = args.protectStatefulResources ?? false;
  check(
    typeof protectStatefulResources === "boolean",
    `protectStatefulResources must be true or false, got ${JSON.stringify(protectStatefulResources)}`,
  );
  const secrets: [string, string][] = [
    ["redisAuthTokenParameterName", redis.functionPasswordParameterName],
    ["redisServicePasswordParameterName", redis.servicePasswordParameterName],
    ["refreshTokenParameterName", registry.refreshTokenParameterName],
  ];
  secrets.forEach(([label, value], i) => {
    for (const [other, otherValue] of secrets.slice(i + 1)) {
      check(value !== otherValue, `${label} and ${other} name the same parameter: each secret needs its own`);
    }
  });

  // The names the component derives from its own: AWS refuses some that SSM allows (`my_shop`, a long env).
  problems.push(...derivedNameProblems(name, prefix));

  // Ids known at preview (from yaml, typically) are checked for their shape; outputs are taken as they come.
  const idShape = (label: string, value: unknown, shape: RegExp, example: string): void =>
    check(
      typeof value !== "string" || shape.test(value),
      `${label} must look like "${example}", got ${JSON.stringify(value)}`,
    );
  idShape("vpcId", args.vpcId, /^vpc-[0-9a-z]+$/, "vpc-0abc123");
  (args.subnetIds ?? []).forEach((id, i) => {
    idShape(`subnetIds[${i}]`, id, /^subnet-[0-9a-z]+$/, "subnet-0abc123");
  });
  (args.extraSecurityGroupIds ?? []).forEach((id, i) => {
    idShape(`extraSecurityGroupIds[${i}]`, id, /^sg-[0-9a-z]+$/, "sg-0abc123");
  });
  check(
    args.parameterKmsKeyArns === undefined || Array.isArray(args.parameterKmsKeyArns),
    "parameterKmsKeyArns must be a list of KMS key ARNs",
  );
  (Array.isArray(args.parameterKmsKeyArns) ? args.parameterKmsKeyArns : []).forEach((arn, i) => {
    idShape(
      `parameterKmsKeyArns[${i}] (a key ARN: an alias cannot be granted kms:Decrypt)`,
      arn,
      /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-zA-Z-]+$/,
      "arn:aws:kms:<region>:<account>:key/<key id>",
    );
  });
  idShape(
    "alarmTopicArn",
    args.alarmTopicArn,
    /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/,
    "arn:aws:sns:<region>:<account>:<topic>",
  );

  if (problems.length > 0) throw new PipelineArgsError(name, problems);
  const { scopePattern } = args;
  return {
    app,
    env,
    prefix,
    appConfigFile: args.appConfigFile,
    requireSecrets: args.requireSecrets ?? true,
    network,
    extraSecurityGroupIds: args.extraSecurityGroupIds ?? [],
    parameterKmsKeyArns: args.parameterKmsKeyArns ?? [],
    refreshPort,
    redis,
    stream,
    retry,
    deadLetter,
    reconcileIntervalMinutes,
    refreshFunction: { ...fn, ...(scopePattern !== undefined ? { scopePattern } : {}) },
    registry,
    protectStatefulResources,
    tags: { ...args.tags, "managed-by": "config-refresh-pipeline", "config-refresh:prefix": prefix },
  };
}

/** `defaults` overridden by the entries of `overrides` that are set (an `undefined` keeps the default). */
function withDefaults<T extends object, O extends object>(defaults: T, overrides: O | undefined): T & O {
  const result = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides ?? {})) if (value !== undefined) result[key] = value;
  return result as T & O;
}
