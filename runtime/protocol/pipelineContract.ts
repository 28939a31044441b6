/**
 * What the component (`components/pipeline/settings.ts`) and the runtime (the refresh Lambda's
 * environment, the local pipeline, the `config-refresh` commands) must agree on: the default names
 * of a pipeline's resources, the defaults of the settings both ends read, and their limits. Plain
 * TypeScript with no AWS or Pulumi import, so every end imports this one module.
 */

/** Defaults the component deploys and the runtime assumes when a setting is absent. */
export const PIPELINE_CONTRACT_DEFAULTS = {
  /** Port of the instances' gRPC refresh server, opened by the pipeline's security groups. */
  refreshPort: 50051,
  /** Approximate MAXLEN the Lambda keeps on the stream (`XADD MAXLEN ~`). */
  streamMaxLength: 10_000,
  /** Deadline of one `Refresh` call, ms. */
  rpcDeadlineMs: 2_000,
  /** Retries of a failed `Refresh` call within one invocation. */
  rpcRetries: 1,
} as const;

/**
 * The environment variable a service's task definition sets from the stack output `refreshPort`
 * (a port, or `any` where no security group filters ports, as in the local pipeline).
 */
export const REFRESH_PORT_ENV = "CONFIG_REFRESH_PORT";

/** An inclusive range of whole numbers. */
export interface IntegerRange {
  min: number;
  max: number;
}

/** The ranges both ends accept for the settings of {@link PIPELINE_CONTRACT_DEFAULTS}. */
export const PIPELINE_CONTRACT_LIMITS: Readonly<Record<keyof typeof PIPELINE_CONTRACT_DEFAULTS, IntegerRange>> = {
  refreshPort: { min: 1, max: 65_535 },
  streamMaxLength: { min: 1, max: 10_000_000 },
  rpcDeadlineMs: { min: 100, max: 60_000 },
  rpcRetries: { min: 0, max: 5 },
};

/** The default names of one pipeline, all derived from `app` and `env`. */
export interface PipelineDefaultNames {
  /** `/<app>/<env>/`: the parameters the pipeline serves. */
  prefix: string;
  /** Cloud Map HTTP namespace the instances register in: `config-refresh-<app>-<env>`. */
  namespaceName: string;
  /** Cloud Map service in that namespace: `<app>`. */
  serviceName: string;
  /** SecureString of the token refresh calls carry (outside the prefix). */
  refreshTokenParameterName: string;
  /**
   * SecureString of the refresh function's Redis password (its ElastiCache user; outside the prefix).
   * The name is the AUTH token's of earlier versions: a stack that set it keeps it.
   */
  redisAuthTokenParameterName: string;
  /** SecureString of the services' Redis password (their ElastiCache user; outside the prefix). */
  redisServicePasswordParameterName: string;
  /** Redis stream key: `config-refresh:{/<app>/<env>/}`. */
  streamKey: string;
}

/** The parameter prefix of an app and environment: `/<app>/<env>/`. */
export function pipelinePrefix(app: string, env: string): string {
  return `/${app}/${env}/`;
}

/** Default stream key for a prefix: `config-refresh:{/shop/beta/}` (a Redis Cluster hash tag). */
export function defaultStreamKey(prefix: string): string {
  return `config-refresh:{${prefix}}`;
}

/**
 * The default names of the pipeline of `app` and `env`, as the component declares them and the
 * runtime looks them up.
 *
 * @example
 * ```ts
 * defaultPipelineNames("shop", "beta").namespaceName; // "config-refresh-shop-beta"
 * ```
 */
export function defaultPipelineNames(app: string, env: string): PipelineDefaultNames {
  const prefix = pipelinePrefix(app, env);
  return {
    prefix,
    namespaceName: `config-refresh-${app}-${env}`,
    serviceName: app,
    refreshTokenParameterName: `/config-refresh/${app}/${env}/refresh-token`,
    redisAuthTokenParameterName: `/config-refresh/${app}/${env}/redis-auth-token`,
    redisServicePasswordParameterName: `/config-refresh/${app}/${env}/redis-service-password`,
    streamKey: defaultStreamKey(prefix),
  };
}

/** Cloud Map's rule for an HTTP namespace name (CreateHttpNamespace `Name`). */
const NAMESPACE_NAME = /^[!-~]{1,1024}$/;
/** Cloud Map's rule for a service name (CreateService `Name`), simplified to its character set and length. */
const SERVICE_NAME = /^[a-zA-Z0-9_]([a-zA-Z0-9_.-]{0,126})$/;

/**
 * Problems with the Cloud Map names the instances register under, or `[]`: what AWS refuses at
 * create time, checked by the component before anything is declared and by the commands before a call.
 */
export function registryNameProblems(names: { namespaceName: string; serviceName: string }): string[] {
  const problems: string[] = [];
  if (!NAMESPACE_NAME.test(names.namespaceName)) {
    const got = JSON.stringify(names.namespaceName);
    problems.push(`namespaceName must be 1–1024 printable characters without spaces, got ${got}`);
  }
  if (!SERVICE_NAME.test(names.serviceName)) {
    const got = JSON.stringify(names.serviceName);
    problems.push(`serviceName must be 1–127 letters, digits, _ . - (Cloud Map's rule), got ${got}`);
  }
  return problems;
}

/**
 * The Cloud Map service the instances register in, as the component declares it and the local
 * pipeline creates it: HTTP (API discovery only, no DNS) with a custom health check the instances
 * report themselves (`UpdateInstanceCustomHealthStatus`; Cloud Map cannot probe a private gRPC port).
 *
 * `failureThreshold: 1` is deprecated (AWS always uses 1) but it is the one form the Pulumi AWS
 * provider creates the health check from: it drops an empty `{}` (pulumi-aws #6289), and a service
 * without it answers `CustomHealthNotFound` to every health report and wants a replacement on every plan.
 */
export const REGISTRY_SERVICE = {
  type: "HTTP",
  healthCheckCustomConfig: { failureThreshold: 1 },
} as const;

/**
 * The reconciler: once per environment, on a schedule (the component's EventBridge rule, the local
 * pipeline's timer), the refresh function reads the whole prefix and heals what no event published.
 */
export const RECONCILE_DEFAULTS = {
  /** Minutes between two sweeps; a lost change event is healed within one. */
  intervalMinutes: 5,
  /** The range the component accepts (EventBridge's `rate()` takes whole minutes). */
  intervalLimits: { min: 1, max: 1_440 } satisfies IntegerRange,
} as const;

/** The input the schedule invokes the refresh function with: `{"config-refresh":"reconcile"}`. */
export const RECONCILE_REQUEST = { "config-refresh": "reconcile" } as const;

/** True when an invocation's input is {@link RECONCILE_REQUEST} (and nothing else). */
export function isReconcileRequest(input: unknown): boolean {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return false;
  const keys = Object.keys(input);
  return keys.length === 1 && (input as Record<string, unknown>)["config-refresh"] === "reconcile";
}
