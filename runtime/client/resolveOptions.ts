import { hostname } from "node:os";
import { z } from "zod";
import { defaultStreamKey } from "../protocol";
import { ClientOptionsError } from "./errors";
import { STDERR_LOGGER } from "./observability/clientEvents";
import { defaultInstanceAddress, RESERVED_ATTRIBUTE_PREFIX } from "./registration/cloudMapRegistration";
import { PARAMETER_PATH_PATTERN } from "./state/configRules";
import type { ReconnectBackoff } from "./stream/redisConnection";
import type { ClientLogger, CloudMapRegistrationOptions, ConfigClientOptions, ConfigSchema, RefreshServerConfig } from "./types";

/** Defaults, spelled out. */
export const CLIENT_DEFAULTS = {
  reloadIntervalMs: 5 * 60_000,
  reloadJitter: 0.1,
  blockMs: 5_000,
  batchSize: 100,
  reconnect: { minDelayMs: 100, maxDelayMs: 5_000 },
  startTimeoutMs: 5_000,
  ackMaxLength: 10_000,
  reloadRetry: { minDelayMs: 1_000, maxDelayMs: 30_000 },
} as const;

/** Cloud Map's rule for instance ids. */
const INSTANCE_ID_PATTERN = /^[0-9a-zA-Z_/:.@-]{1,64}$/;

/** Options with every default applied. */
export interface ResolvedOptions<S extends ConfigSchema> {
  parameterPath: string;
  ssm: ConfigClientOptions<S>["ssm"];
  redis: ConfigClientOptions<S>["redis"];
  streamKey: string;
  schema: S | undefined;
  strict: boolean;
  instanceId: string;
  reloadIntervalMs: number;
  blockMs: number;
  batchSize: number;
  reconnect: ReconnectBackoff;
  startTimeoutMs: number;
  acks: { maxLength: number } | false;
  refreshServer: RefreshServerConfig | undefined;
  registration: (CloudMapRegistrationOptions & { address: string; customHealthCheck: boolean }) | undefined;
  logger: ClientLogger;
}

const positive = z.number().int().positive();
const optionsSchema = z.object({
  parameterPath: z.string().regex(PARAMETER_PATH_PATTERN, "must look like /<app>/<env>/ (leading and trailing slash)"),
  ssm: z.custom((v) => typeof (v as { send?: unknown } | null)?.send === "function", "must be an SSMClient"),
  redis: z.union([z.string().regex(/^rediss?:\/\/.+/, "must be a redis:// or rediss:// URL"), z.looseObject({})], "must be a URL or ioredis options"),
  streamKey: z.string().min(1).optional(),
  schema: z.record(z.string(), z.custom((v) => typeof (v as { safeParse?: unknown } | null)?.safeParse === "function", "must be a zod schema")).optional(),
  strict: z.boolean().optional(),
  instanceId: z.string().regex(INSTANCE_ID_PATTERN, "must be 1-64 characters of 0-9 a-z A-Z _ / : . @ -").optional(),
  reloadIntervalMs: z.number().int().min(1_000).optional(),
  stream: z.object({
    blockMs: z.number().int().min(10).optional(),
    batchSize: positive.optional(),
    reconnect: z.object({ minDelayMs: positive.optional(), maxDelayMs: positive.optional() }).optional(),
    startTimeoutMs: positive.optional(),
  }).optional(),
  acks: z.union([z.literal(false), z.object({ maxLength: positive.optional() })]).optional(),
  refreshServer: z.object({
    tokens: z.union([
      z.array(z.string().min(16, "a refresh token must be at least 16 characters")).min(1, "needs at least one token"),
      z.custom((v) => typeof v === "function", "must be a list of tokens or a function returning them"),
    ]),
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65_535).optional(),
  }).loose().optional(),
  registration: z.object({
    client: z.custom((v) => typeof (v as { send?: unknown } | null)?.send === "function", "must be a ServiceDiscoveryClient"),
    serviceId: z.string().min(1),
    address: z.ipv4().optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    attributes: z.record(
      z.string().min(1).max(255).refine((key) => !key.startsWith(RESERVED_ATTRIBUTE_PREFIX), `may not start with ${RESERVED_ATTRIBUTE_PREFIX} (the client sets those)`),
      z.string().max(1024),
    ).optional(),
    customHealthCheck: z.boolean().optional(),
  }).optional(),
  logger: z.custom((v) => ["debug", "info", "warn", "error"].every((m) => typeof (v as Record<string, unknown> | null)?.[m] === "function"), "must have debug, info, warn and error").optional(),
});

/**
 * Validates the options and applies the defaults. Throws {@link ClientOptionsError} naming every
 * bad option at once.
 */
export function resolveOptions<S extends ConfigSchema>(options: ConfigClientOptions<S>): ResolvedOptions<S> {
  const parsed = optionsSchema.safeParse(options);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.message}`);
  if (options.registration && !options.registration.port && !options.refreshServer) {
    problems.push("registration.port: is required when there is no refreshServer (the port the Lambda calls)");
  }
  const address = options.registration ? options.registration.address ?? defaultInstanceAddress() : undefined;
  if (options.registration && !address) problems.push("registration.address: this host has no non-internal IPv4 address; pass one");
  if (problems.length > 0) throw new ClientOptionsError(problems);

  const reconnect = {
    minDelayMs: options.stream?.reconnect?.minDelayMs ?? CLIENT_DEFAULTS.reconnect.minDelayMs,
    maxDelayMs: options.stream?.reconnect?.maxDelayMs ?? CLIENT_DEFAULTS.reconnect.maxDelayMs,
  };
  return {
    parameterPath: options.parameterPath,
    ssm: options.ssm,
    redis: options.redis,
    streamKey: options.streamKey ?? defaultStreamKey(options.parameterPath),
    schema: options.schema,
    strict: options.strict ?? false,
    instanceId: options.instanceId ?? defaultInstanceId(),
    reloadIntervalMs: options.reloadIntervalMs ?? CLIENT_DEFAULTS.reloadIntervalMs,
    blockMs: options.stream?.blockMs ?? CLIENT_DEFAULTS.blockMs,
    batchSize: options.stream?.batchSize ?? CLIENT_DEFAULTS.batchSize,
    reconnect: { minDelayMs: Math.min(reconnect.minDelayMs, reconnect.maxDelayMs), maxDelayMs: reconnect.maxDelayMs },
    startTimeoutMs: options.stream?.startTimeoutMs ?? CLIENT_DEFAULTS.startTimeoutMs,
    acks: options.acks === false ? false : { maxLength: options.acks?.maxLength ?? CLIENT_DEFAULTS.ackMaxLength },
    refreshServer: options.refreshServer,
    registration: options.registration && {
      ...options.registration,
      address: address as string,
      customHealthCheck: options.registration.customHealthCheck ?? true,
    },
    logger: options.logger ?? STDERR_LOGGER,
  };
}

/** `<hostname>-<pid>`, cut to Cloud Map's rules. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^0-9a-zA-Z_/:.@-]/g, "-").slice(-64);
}
