/**
 * Every setting of the refresh Lambda, read from environment variables named here and nowhere
 * else. The component sets them (`components/`), the local pipeline sets them, and the handler
 * validates them once at cold start with {@link readLambdaSettings}. No AWS or Pulumi import.
 */
import { z } from "zod";
import {
  defaultStreamKey,
  PIPELINE_CONTRACT_DEFAULTS as DEFAULTS,
  PIPELINE_CONTRACT_LIMITS as LIMITS,
} from "../protocol/pipelineContract";
import { ScopePattern } from "../protocol/ScopePattern";

/** The environment variable names, by setting. */
export const LAMBDA_ENVIRONMENT = {
  /** Parameter path this function serves, `/<app>/<env>/`. Events for other names are ignored. */
  parameterPrefix: "CONFIG_REFRESH_PARAMETER_PREFIX",
  /** Redis URL of the stream host, `rediss://host:6379` (TLS) or `redis://` locally. */
  redisUrl: "CONFIG_REFRESH_REDIS_URL",
  /** SSM SecureString holding the Redis password: its user's, or an AUTH token (optional: none locally). */
  redisAuthTokenParameter: "CONFIG_REFRESH_REDIS_AUTH_TOKEN_PARAMETER",
  /** The function's Redis user (ElastiCache RBAC, `redisAccess.ts`); unset: AUTH with the password alone. */
  redisUser: "CONFIG_REFRESH_REDIS_USER",
  /** Stream key; default `config-refresh:{<prefix>}`. */
  streamKey: "CONFIG_REFRESH_STREAM_KEY",
  /** Approximate MAXLEN of the stream (XADD MAXLEN ~). */
  streamMaxLength: "CONFIG_REFRESH_STREAM_MAXLEN",
  /** Cloud Map namespace name (HTTP namespace) the instances register in. Unset: no gRPC fan-out. */
  namespaceName: "CONFIG_REFRESH_NAMESPACE",
  /** Cloud Map service name. */
  serviceName: "CONFIG_REFRESH_SERVICE",
  /** SSM SecureString holding the token that refresh calls carry. */
  refreshTokenParameter: "CONFIG_REFRESH_TOKEN_PARAMETER",
  /**
   * Scope pattern, e.g. `/shop/beta/tenants/{tenant}/`: a change under it only reaches instances
   * registered with that attribute.
   */
  scopePattern: "CONFIG_REFRESH_SCOPE_PATTERN",
  /** Deadline of one Refresh call, ms. */
  rpcDeadlineMs: "CONFIG_REFRESH_RPC_DEADLINE_MS",
  /** Retries of a failed Refresh call (unreachable or deadline), within the same invocation. */
  rpcRetries: "CONFIG_REFRESH_RPC_RETRIES",
  /** `true`: write back a value the whole fleet refuses (needs `ssm:PutParameter` on the prefix). Default false. */
  revertRefused: "CONFIG_REFRESH_REVERT_REFUSED",
  /** PEM of the CA the instances' refresh certificates chain to: set, refresh calls use TLS and trust only it. */
  rpcTlsCa: "CONFIG_REFRESH_RPC_TLS_CA",
  /** The name those certificates hold (instances are called by address, which they cannot all list). */
  rpcTlsServerName: "CONFIG_REFRESH_RPC_TLS_SERVER_NAME",
  /** AWS endpoint override (moto, LocalStack); the SDK's own variable name. */
  awsEndpoint: "AWS_ENDPOINT_URL",
  // The fan-out's bounds (issue 19: fan-out beyond 256 instances, stale registrations; issue 14: the discovery cap).
  /** Refresh calls in flight at once, and so gRPC channels (sockets) open at once; default {@link FAN_OUT_DEFAULTS}. */
  fanOutConcurrency: "CONFIG_REFRESH_FANOUT_CONCURRENCY",
  /** Cloud Map service id (`srv-...`); set, the function deregisters the stale registrations it finds. */
  serviceId: "CONFIG_REFRESH_SERVICE_ID",
  /** Invocations in a row that find an instance unreachable before it is deregistered. */
  staleAfterInvocations: "CONFIG_REFRESH_STALE_AFTER_INVOCATIONS",
  /** And at least this long since the first of them, ms. */
  staleAfterMs: "CONFIG_REFRESH_STALE_AFTER_MS",
  /** `MaxResults` of `DiscoverInstances` (at most 1000, Cloud Map's cap); a discovery this full may be incomplete. */
  discoveryMaxResults: "CONFIG_REFRESH_DISCOVERY_MAX_RESULTS",
} as const;

/**
 * Defaults of the fan-out's bounds. 128 calls in flight: a Lambda has 1,024 file descriptors and
 * each call holds one socket, so 128 leave room for the SDK's and Redis' connections, while a
 * healthy fleet of 1,000 is served in 8 rounds of a few ms. A stale registration is deregistered
 * after 3 invocations in a row and 5 minutes without an answer (README, "Stale registrations").
 */
export const FAN_OUT_DEFAULTS = {
  concurrency: 128,
  staleAfterInvocations: 3,
  staleAfterMs: 300_000,
  /** Cloud Map's own cap: `DiscoverInstances` returns at most 1000 instances and cannot paginate. */
  discoveryMaxResults: 1000,
} as const;

/** A whole number in the contract's range for `setting`, defaulting to the contract's default. */
const contractInt = (setting: keyof typeof LIMITS) =>
  z.coerce.number().int().min(LIMITS[setting].min).max(LIMITS[setting].max).default(DEFAULTS[setting]);

const settingsSchema = z.object({
  parameterPrefix: z.string().regex(/^\/.+\/$/, "must look like /<app>/<env>/ (leading and trailing slash)"),
  redisUrl: z.string().regex(/^rediss?:\/\/.+/, "must be a redis:// or rediss:// URL"),
  redisAuthTokenParameter: z.string().startsWith("/").optional(),
  redisUser: z.string().regex(/^\S+$/, "must be a Redis user name (no whitespace)").optional(),
  streamKey: z.string().min(1).optional(),
  streamMaxLength: contractInt("streamMaxLength"),
  namespaceName: z.string().min(1).optional(),
  serviceName: z.string().min(1).optional(),
  refreshTokenParameter: z.string().startsWith("/").optional(),
  // Checked by the contract's parser in crossVariableProblems, which knows the prefix.
  scopePattern: z.string().optional(),
  rpcDeadlineMs: contractInt("rpcDeadlineMs"),
  rpcRetries: contractInt("rpcRetries"),
  awsEndpoint: z.string().url().optional(),
  rpcTlsCa: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "must be a PEM certificate" }).optional(),
  rpcTlsServerName: z
    .string()
    .regex(/^[A-Za-z0-9*.-]+$/, "must be a DNS name")
    .optional(),
  fanOutConcurrency: z.coerce
    .number()
    .int()
    .min(1)
    .max(512, "at most 512: each call holds a socket and a Lambda has 1,024 file descriptors")
    .default(FAN_OUT_DEFAULTS.concurrency),
  serviceId: z.string().min(1).optional(),
  staleAfterInvocations: z.coerce.number().int().min(1).max(100).default(FAN_OUT_DEFAULTS.staleAfterInvocations),
  staleAfterMs: z.coerce.number().int().min(0).default(FAN_OUT_DEFAULTS.staleAfterMs),
  discoveryMaxResults: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000, "at most 1000 (Cloud Map's cap)")
    .default(FAN_OUT_DEFAULTS.discoveryMaxResults),
  revertRefused: z
    .enum(["true", "false"], "must be true or false")
    .default("false")
    .transform((v) => v === "true"),
});

/** Raw settings by name, as read from the environment (unset and empty are `undefined`). */
type RawSettings = Partial<Record<keyof typeof LAMBDA_ENVIRONMENT, string>>;

/**
 * Checks that span several variables. They run on the raw values, beside the per-variable checks,
 * so one cold start reports every problem at once rather than one deploy per problem.
 */
function crossVariableProblems(raw: RawSettings): string[] {
  const problems: string[] = [];
  const v = LAMBDA_ENVIRONMENT;
  if ((raw.namespaceName === undefined) !== (raw.serviceName === undefined)) {
    problems.push(`  ${v.namespaceName}: ${v.namespaceName} and ${v.serviceName} go together`);
  }
  if (raw.namespaceName !== undefined && raw.refreshTokenParameter === undefined) {
    problems.push(`  ${v.refreshTokenParameter}: the gRPC fan-out needs ${v.refreshTokenParameter}`);
  }
  if (raw.rpcTlsServerName !== undefined && raw.rpcTlsCa === undefined) {
    problems.push(`  ${v.rpcTlsServerName}: goes with ${v.rpcTlsCa} (the CA the certificate chains to)`);
  }
  if (raw.scopePattern !== undefined) {
    const scopeProblems = ScopePattern.problems(raw.scopePattern, raw.parameterPrefix);
    for (const problem of scopeProblems) problems.push(`  ${v.scopePattern}: ${problem}`);
  }
  return problems;
}

/** The validated settings, with defaults applied. */
export type LambdaSettings = z.infer<typeof settingsSchema> & { streamKey: string };

/** Thrown at cold start when the environment is wrong: names every bad variable. */
export class LambdaSettingsError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = "LambdaSettingsError";
  }
}

/**
 * Reads and validates the settings from `env` (default `process.env`). Throws
 * {@link LambdaSettingsError} naming every variable that is missing or wrong.
 *
 * @example
 * ```ts
 * const settings = readLambdaSettings({
 *   CONFIG_REFRESH_PARAMETER_PREFIX: "/shop/beta/",
 *   CONFIG_REFRESH_REDIS_URL: "redis://127.0.0.1:6379",
 * });
 * settings.streamKey; // "config-refresh:{/shop/beta/}"
 * ```
 */
export function readLambdaSettings(env: NodeJS.ProcessEnv = process.env): LambdaSettings {
  const raw = Object.fromEntries(
    Object.entries(LAMBDA_ENVIRONMENT).map(([setting, variable]) => [
      setting,
      env[variable] === "" ? undefined : env[variable],
    ]),
  ) as RawSettings;
  const parsed = settingsSchema.safeParse(raw);
  const lines = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const setting = String(issue.path[0] ?? "") as keyof typeof LAMBDA_ENVIRONMENT;
        const variable = LAMBDA_ENVIRONMENT[setting] ?? setting;
        const notSet = raw[setting] === undefined && issue.code === "invalid_type";
        return `  ${variable}: ${notSet ? "is not set" : issue.message}`;
      });
  lines.push(...crossVariableProblems(raw));
  if (!parsed.success || lines.length > 0) {
    throw new LambdaSettingsError(`the refresh function's environment is invalid:\n${lines.join("\n")}`);
  }
  return { ...parsed.data, streamKey: parsed.data.streamKey ?? defaultStreamKey(parsed.data.parameterPrefix) };
}

/** The environment that yields `settings` (for the component and the local pipeline). */
export function lambdaEnvironment(
  settings: Partial<Record<keyof typeof LAMBDA_ENVIRONMENT, string | number | boolean | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [setting, value] of Object.entries(settings)) {
    if (value !== undefined) env[LAMBDA_ENVIRONMENT[setting as keyof typeof LAMBDA_ENVIRONMENT]] = String(value);
  }
  return env;
}
