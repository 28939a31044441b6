import type * as pulumi from "@pulumi/pulumi";

/** Where the NAT gateways of a VPC the component creates go. */
export type NatGatewayPlacement = "Single" | "OnePerAz";

/** Cache engine of the stream host (both speak the Redis protocol and have streams). */
export type StreamEngine = "valkey" | "redis";

/** Lambda runtimes the refresh function may run on (Node.js 20 or newer). */
export type RefreshFunctionRuntime = "nodejs20.x" | "nodejs22.x" | "nodejs24.x";

/** Settings of the VPC the component creates when no `vpcId` is given. */
export interface CreatedVpcArgs {
  /** Availability zones (each gets a private and a public subnet). Default 2. */
  availabilityZoneCount?: number;
  /** `Single` (one NAT gateway, cheap) or `OnePerAz` (survives the loss of a zone). Default `Single`. */
  natGateways?: NatGatewayPlacement;
  /** CIDR block of the VPC. Default `10.0.0.0/16`. */
  cidrBlock?: string;
}

/** Settings of the ElastiCache replication group that holds the stream. */
export interface RedisStreamSettingsArgs {
  /** Default `valkey` (cheaper than Redis OSS on ElastiCache, same protocol). */
  engine?: StreamEngine;
  /** Major.minor, 7 or newer. Default `8.0` for valkey, `7.1` for redis. */
  engineVersion?: string;
  /** Default `cache.t4g.micro`. */
  nodeType?: string;
  /** Read replicas besides the primary (0–5). Default 0. Any replica turns automatic failover on. */
  replicas?: number;
  /** Spread primary and replicas over zones; needs at least one replica. Default `false`. */
  multiAz?: boolean;
  /** Default 6379. */
  port?: number;
  /**
   * Daily snapshots kept (0–35). Default 0: the stream is derived from Parameter Store,
   * which stays the source of truth.
   */
  snapshotRetentionDays?: number;
  /** Weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` (UTC). Default: chosen by AWS. */
  maintenanceWindow?: string;
  /** Customer managed KMS key for encryption at rest. Default: the service key. */
  kmsKeyArn?: pulumi.Input<string>;
}

/** The stream the function appends to and the instances read. */
export interface StreamArgs {
  /** Stream key. Default `config-refresh:{<prefix>}` (see `runtime/protocol/pipelineContract.ts`). */
  key?: string;
  /** Approximate MAXLEN kept by XADD. Default 10000. */
  maxLength?: number;
}

/** Retries before a change lands in the dead-letter queue. */
export interface RetryArgs {
  /** EventBridge → function: how long to keep retrying delivery (60–86400 s). Default 3600. */
  maximumEventAgeInSeconds?: number;
  /** EventBridge → function: delivery retries (0–185). Default 24. */
  maximumRetryAttempts?: number;
  /** Function errors: Lambda's asynchronous retries (0–2). Default 2. */
  functionRetryAttempts?: number;
  /** Function errors: how long Lambda keeps an event for retries (60–21600 s). Default 3600. */
  functionMaximumEventAgeInSeconds?: number;
}

/** Settings of the refresh Lambda. */
export interface RefreshFunctionSettingsArgs {
  /** Default `nodejs22.x`. */
  runtime?: RefreshFunctionRuntime;
  /** Default `arm64` (Graviton: cheaper; the bundle is plain JavaScript). */
  architecture?: "arm64" | "x86_64";
  /** MB. Default 256. */
  memorySize?: number;
  /** Seconds. Default 30. Must exceed the worst gRPC fan-out, `rpcDeadlineMs × (rpcRetries + 1)`. */
  timeoutSeconds?: number;
  /** Days the function's logs are kept (a CloudWatch retention value). Default 30. */
  logRetentionDays?: number;
  /** Deadline of one Refresh call, ms. Default 2000. */
  rpcDeadlineMs?: number;
  /** Retries of a failed Refresh call within one invocation (0–5). Default 1. */
  rpcRetries?: number;
  /**
   * Write back, as a new SSM version, a value every answering instance refused for its schema (never
   * a SecureString, never a revert of a revert), and alarm on it. Grants `ssm:PutParameter` on the
   * prefix only when true. Default false.
   */
  revertRefusedValues?: boolean;
  /**
   * Refresh calls over TLS: the PEM of the CA the instances' certificates chain to (the services
   * serve TLS with the client's `refreshServer.tls`), and the name those certificates hold (default:
   * none checked beyond the chain's). Read at program time (`fs.readFileSync`), never a secret; at most
   * {@link REFRESH_CA_MAX_BYTES} bytes, since Lambda keeps a function's whole environment within 4 KB.
   * Default: plaintext calls inside the VPC, authenticated by the refresh token.
   */
  refreshCallTls?: { caCertificatePem: string; serverName?: string };
}

/** Largest CA PEM `refreshCallTls` takes: Lambda's 4 KB environment holds the function's other settings too. */
export const REFRESH_CA_MAX_BYTES = 2_400;

/**
 * Arguments of {@link ConfigRefreshPipeline}. Every knob has a default right for a small team;
 * `app` and `appConfigFile` are the only required ones.
 */
export interface ConfigRefreshPipelineArgs {
  /** Application name: first segment of the parameter prefix `/<app>/<env>/`. */
  app: string;
  /** Environment: second segment of the prefix. Default the stack name (`pulumi.getStack()`). */
  env?: string;
  /** Path of the `app_config_<env>.yaml` file whose keys become parameters. */
  appConfigFile: string;
  /** Fail the preview when a `required_secrets:` entry is missing in SSM. Default `true`. */
  requireSecrets?: boolean;

  /**
   * An existing VPC to deploy into, needs `subnetIds`: the services' VPC, since they attach
   * `serviceSecurityGroupId` and a security group works only in its own VPC. Default: a VPC is
   * created, which suits trying the pipeline out (no existing service can reach it).
   */
  vpcId?: pulumi.Input<string>;
  /**
   * Private subnets of `vpcId` for the function and the stream host. They need a route to the
   * SSM and Cloud Map APIs: a NAT gateway, or interface endpoints for `ssm` and
   * `data-servicediscovery` (the services' subnets: `ssm`, `servicediscovery` and
   * `data-servicediscovery`). At least 2 (in different zones) with `redis.multiAz`.
   */
  subnetIds?: pulumi.Input<string>[];
  /** Settings of the VPC created when no `vpcId` is given; not allowed together with `vpcId`. */
  createdVpc?: CreatedVpcArgs;
  /**
   * Customer-managed KMS keys (key ARNs, not aliases) that SecureStrings under the prefix are
   * encrypted with: the services and the function may `kms:Decrypt` with them, through SSM only
   * (`kms:ViaService`). Default none: the `aws/ssm` key needs no grant, and a SecureString under
   * another key fails the boot load with AccessDenied.
   */
  parameterKmsKeyArns?: pulumi.Input<string>[];
  /** Further security groups admitted to the stream host (e.g. an existing service's group). */
  extraSecurityGroupIds?: pulumi.Input<string>[];
  /** Port of the instances' gRPC refresh server. Default 50051. */
  refreshPort?: number;

  /** The stream host. */
  redis?: RedisStreamSettingsArgs;
  /** The stream. */
  stream?: StreamArgs;
  /** Retries on the way from the event to a finished refresh. */
  retry?: RetryArgs;
  /** Days a failed change stays in the dead-letter queue (1–14). Default 14. */
  deadLetterRetentionDays?: number;
  /**
   * Minutes between two reconcile sweeps of the prefix (1–1440), which heal changes whose event was
   * lost within one period, at ⌈parameters/10⌉ SSM calls a sweep whatever the fleet's size. Default 5.
   */
  reconcileIntervalMinutes?: number;
  /**
   * SNS topic notified when the dead-letter queue holds a message or the refresh function fails
   * (and when each is back to normal).
   */
  alarmTopicArn?: pulumi.Input<string>;

  /** The refresh Lambda. */
  refreshFunction?: RefreshFunctionSettingsArgs;
  /**
   * Tenant scope, e.g. `/shop/beta/tenants/{tenant}/`: a change under it only reaches the
   * instances registered with that attribute. Must lie under the prefix and end with `/`; one or
   * more `{attribute}` segments, each a whole path segment (`runtime/protocol/ScopePattern.ts`,
   * the rule the function applies too). Default: none.
   */
  scopePattern?: string;

  /** Cloud Map HTTP namespace the instances register in. Default `config-refresh-<app>-<env>`. */
  namespaceName?: string;
  /** Cloud Map service in that namespace. Default `<app>`. */
  serviceName?: string;
  /**
   * SecureString holding the refresh function's Redis password (its ElastiCache user
   * `config-refresh-function`; the name is the AUTH token's of earlier versions).
   * Default `/config-refresh/<app>/<env>/redis-auth-token`. Must lie outside the prefix, so the change
   * rule does not fire on it and clients do not load it as config.
   */
  redisAuthTokenParameterName?: string;
  /**
   * SecureString holding the services' Redis password (their ElastiCache user `config-refresh-service`:
   * read the stream, write only the acks). Default `/config-refresh/<app>/<env>/redis-service-password`
   * (outside the prefix too).
   */
  redisServicePasswordParameterName?: string;
  /**
   * SecureString holding the refresh-call token.
   * Default `/config-refresh/<app>/<env>/refresh-token` (outside the prefix too).
   */
  refreshTokenParameterName?: string;

  /**
   * `protect` the stateful resources (the ElastiCache replication group, the Cloud Map namespace
   * and service): a `pulumi up` or `destroy` that would delete or replace them fails instead, until
   * the option is turned off again. Default `false`; a production stack sets it.
   */
  protectStatefulResources?: boolean;

  /** Tags added to every resource that takes tags. */
  tags?: Record<string, string>;
}
