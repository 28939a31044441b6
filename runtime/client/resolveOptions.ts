import { hostname } from "node:os";
import { z } from "zod";
import { toError } from "../common/errors";
import { defaultStreamKey } from "../protocol";
import { ClientOptionsError } from "./errors";
import { STDERR_LOGGER } from "./observability/clientEvents";
import { RESERVED_ATTRIBUTE_PREFIX } from "./registration/cloudMapRegistration";
import { SYSTEM_HOST, type HostEnvironment } from "./registration/hostEnvironment";
import { resolveInstanceAddress } from "./registration/instanceAddress";
import { addressFamily, unregistrableReason, type AddressFamily } from "./registration/ipAddress";
import { planRefreshPort, readPipelineRefreshPort } from "./registration/pipelineRefreshPort";
import { readTaskNetwork, TASK_METADATA_ENV } from "./registration/taskMetadata";
import { PARAMETER_PATH_PATTERN } from "./state/configRules";
import type { ReconnectBackoff } from "./stream/redisConnection";
import type {
  ClientLogger,
  CloudMapRegistrationOptions,
  ConfigClientOptions,
  ConfigSchema,
  PlatformRegistrationOptions,
  RefreshServerConfig,
} from "./types";

import {
  FLEET_SPREAD_DEFAULTS,
  type FleetSpread,
  loadCalls,
  SPREAD_CEILING_MS,
  spreadWindowMs,
} from "./reload/fleetSpread";

/** Defaults, spelled out. */
export const CLIENT_DEFAULTS = {
  /** The drift check: lost events are healed by the reconciler, once per environment. */
  reloadIntervalMs: 60 * 60_000,
  /** After a reset of the stream (new epoch, failover, trim), the reload falls in this window. */
  resetReloadWindowMs: 30_000,
  /** A SecureString change's `GetParameter` waits up to this long, so a fleet does not read it at once. */
  secureReadJitterMs: 1_000,
  /** Retries of a SecureString read that failed, alone, before a full reload takes over. */
  secureReadRetry: { attempts: 5, minDelayMs: 1_000, maxDelayMs: 30_000 },
  /** An idle instance: one XREAD a minute, and a position check every 10 idle blocks (1.5 commands a minute). */
  blockMs: 60_000,
  positionCheckEvery: 10,
  /** A silent connection is taken for dead once a read goes unanswered for blockMs + this. */
  timeoutGraceMs: 10_000,
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
  bootOnLastValid: boolean;
  instanceId: string;
  reloadIntervalMs: number;
  /** Explicit, else the fixed default, else scaled to `fleet` when the reset comes: see {@link resetReloadWindowMs}. */
  resetReloadWindow: { fixedMs: number } | { fleet: FleetSpread; floorMs: number };
  secureReadJitterMs: number;
  blockMs: number;
  positionCheckEvery: number;
  timeoutGraceMs: number;
  batchSize: number;
  reconnect: ReconnectBackoff;
  startTimeoutMs: number;
  acks: { maxLength: number } | false;
  refreshServer: RefreshServerConfig | undefined;
  registration: (CloudMapRegistrationOptions & { address: string; customHealthCheck: boolean }) | undefined;
  logger: ClientLogger;
}

const positive = z.number().int().positive();
const pipelinePortSchema = z.custom<number | "any">(
  (v) => v === "any" || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65_535),
  'must be a port (1-65535) or "any"',
);
const optionsSchema = z.object({
  parameterPath: z.string().regex(PARAMETER_PATH_PATTERN, "must look like /<app>/<env>/ (leading and trailing slash)"),
  ssm: z.custom((v) => typeof (v as { send?: unknown } | null)?.send === "function", "must be an SSMClient"),
  redis: z.union(
    [z.string().regex(/^rediss?:\/\/.+/, "must be a redis:// or rediss:// URL"), z.looseObject({})],
    "must be a URL or ioredis options",
  ),
  streamKey: z.string().min(1).optional(),
  schema: z
    .record(
      z.string(),
      z.custom((v) => typeof (v as { safeParse?: unknown } | null)?.safeParse === "function", "must be a zod schema"),
    )
    .optional(),
  strict: z.boolean().optional(),
  bootOnLastValid: z.boolean().optional(),
  instanceId: z.string().regex(INSTANCE_ID_PATTERN, "must be 1-64 characters of 0-9 a-z A-Z _ / : . @ -").optional(),
  reloadIntervalMs: z
    .number()
    .int()
    .min(1_000)
    .max(2_147_483_647, "at most 2147483647 (24.8 days, the longest timer Node.js keeps)")
    .optional(),
  resetReloadWindowMs: z.number().int().min(0).max(SPREAD_CEILING_MS).optional(),
  secureReadJitterMs: z.number().int().min(0).max(SPREAD_CEILING_MS).optional(),
  fleet: z
    .object({
      instances: z.number().int().min(1).max(1_000_000),
      ssmCallsPerSecond: z.number().positive().max(100_000).optional(),
    })
    .optional(),
  stream: z
    .object({
      blockMs: z.number().int().min(10).max(3_600_000, "at most 3600000 (1 hour)").optional(),
      positionCheckEvery: z.number().int().min(1).max(10_000).optional(),
      timeoutGraceMs: z.number().int().min(100).max(600_000).optional(),
      batchSize: positive.optional(),
      reconnect: z.object({ minDelayMs: positive.optional(), maxDelayMs: positive.optional() }).optional(),
      startTimeoutMs: positive.optional(),
    })
    .optional(),
  acks: z.union([z.literal(false), z.object({ maxLength: positive.optional() })]).optional(),
  refreshServer: z
    .object({
      tokens: z.union([
        z
          .array(z.string().min(16, "a refresh token must be at least 16 characters"))
          .min(1, "needs at least one token"),
        z.custom((v) => typeof v === "function", "must be a list of tokens or a function returning them"),
      ]),
      host: z.string().min(1).optional(),
      port: z.number().int().min(0).max(65_535).optional(),
      tls: z
        .object({
          certificatePem: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "must be a PEM certificate" }),
          privateKeyPem: z.string().includes("PRIVATE KEY-----", { message: "must be a PEM private key" }),
        })
        .optional(),
    })
    .loose()
    .optional(),
  registration: z
    .object({
      registeredBy: z.literal("client", { error: 'must be "client" or "ecs"' }).optional(),
      client: z.custom(
        (v) => typeof (v as { send?: unknown } | null)?.send === "function",
        "must be a ServiceDiscoveryClient",
      ),
      serviceId: z.string().min(1),
      address: z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" }).optional(),
      port: z.number().int().min(1).max(65_535).optional(),
      pipelineRefreshPort: pipelinePortSchema.optional(),
      attributes: z
        .record(
          z
            .string()
            .min(1)
            .max(255)
            .refine(
              (key) => !key.startsWith(RESERVED_ATTRIBUTE_PREFIX),
              `may not start with ${RESERVED_ATTRIBUTE_PREFIX} (the client sets those)`,
            ),
          z.string().max(1024),
        )
        .optional(),
      customHealthCheck: z.boolean().optional(),
    })
    .optional(),
  logger: z
    .custom(
      (v) =>
        ["debug", "info", "warn", "error"].every(
          (m) => typeof (v as Record<string, unknown> | null)?.[m] === "function",
        ),
      "must have debug, info, warn and error",
    )
    .optional(),
});
/** With `registeredBy: "ecs"` the registration carries nothing else: ECS owns the Cloud Map entry. */
const platformOptionsSchema = optionsSchema.extend({
  registration: z.strictObject({ registeredBy: z.literal("ecs"), pipelineRefreshPort: pipelinePortSchema.optional() }),
});

/**
 * Validates the options and applies the defaults, then finds what a registered instance registers:
 * its address (the ECS task metadata, or this host's interfaces: see `resolveInstanceAddress`) and
 * the pipeline's refresh port. Rejects with {@link ClientOptionsError} naming every bad option at
 * once, or the one reason no address can be registered and what to set.
 */
export async function resolveOptions<S extends ConfigSchema>(
  options: ConfigClientOptions<S>,
  host: HostEnvironment = SYSTEM_HOST,
): Promise<ResolvedOptions<S>> {
  const platform = isPlatformRegistration(options.registration);
  const ownRegistration = isPlatformRegistration(options.registration) ? undefined : options.registration;
  const parsed = (platform ? platformOptionsSchema : optionsSchema).safeParse(options);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.message}`);
  const serverPort = options.registration ? registeredServerPort(options, host, problems) : options.refreshServer?.port;
  const given = ownRegistration?.address;
  if (given !== undefined && addressFamily(given) && unregistrableReason(given)) {
    problems.push(`registration.address: ${unregistrableReason(given)}; register the address the function calls`);
  }
  if (problems.length > 0) throw new ClientOptionsError(problems);

  let registration: ResolvedOptions<S>["registration"];
  let family: AddressFamily | undefined;
  let platformInstanceId: string | undefined;
  if (ownRegistration) {
    const found = await resolveInstanceAddress(
      {
        ...(given !== undefined ? { address: given } : {}),
        ...(ownRegistration.port !== undefined ? { port: ownRegistration.port } : {}),
        ...(serverPort !== undefined ? { serverPort } : {}),
      },
      host,
    );
    family = found.family;
    const customHealthCheck = ownRegistration.customHealthCheck ?? true;
    registration = { ...ownRegistration, address: found.address, customHealthCheck };
  } else if (platform) {
    const task = await platformTask(host, options.instanceId === undefined, options.refreshServer?.host === undefined);
    family = task.family;
    platformInstanceId = task.taskId;
  }
  const refreshServer = options.refreshServer && {
    ...options.refreshServer,
    // An IPv6-only task is called on its IPv6 address: listen on every IPv6 interface.
    ...(options.refreshServer.host === undefined && family === "IPv6" ? { host: "[::]" } : {}),
    ...(serverPort !== undefined ? { port: serverPort } : {}),
  };

  const fleet: FleetSpread | undefined = options.fleet && {
    instances: options.fleet.instances,
    ssmCallsPerSecond: options.fleet.ssmCallsPerSecond ?? FLEET_SPREAD_DEFAULTS.ssmCallsPerSecond,
  };
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
    bootOnLastValid: options.bootOnLastValid ?? true,
    instanceId: options.instanceId ?? platformInstanceId ?? defaultInstanceId(),
    reloadIntervalMs: options.reloadIntervalMs ?? CLIENT_DEFAULTS.reloadIntervalMs,
    resetReloadWindow:
      options.resetReloadWindowMs !== undefined || fleet === undefined
        ? { fixedMs: options.resetReloadWindowMs ?? CLIENT_DEFAULTS.resetReloadWindowMs }
        : { fleet, floorMs: CLIENT_DEFAULTS.resetReloadWindowMs },
    secureReadJitterMs:
      options.secureReadJitterMs ??
      (fleet
        ? spreadWindowMs(fleet, 1, CLIENT_DEFAULTS.secureReadJitterMs, SPREAD_CEILING_MS)
        : CLIENT_DEFAULTS.secureReadJitterMs),
    blockMs: options.stream?.blockMs ?? CLIENT_DEFAULTS.blockMs,
    positionCheckEvery: options.stream?.positionCheckEvery ?? CLIENT_DEFAULTS.positionCheckEvery,
    timeoutGraceMs: options.stream?.timeoutGraceMs ?? CLIENT_DEFAULTS.timeoutGraceMs,
    batchSize: options.stream?.batchSize ?? CLIENT_DEFAULTS.batchSize,
    reconnect: { minDelayMs: Math.min(reconnect.minDelayMs, reconnect.maxDelayMs), maxDelayMs: reconnect.maxDelayMs },
    startTimeoutMs: options.stream?.startTimeoutMs ?? CLIENT_DEFAULTS.startTimeoutMs,
    acks: options.acks === false ? false : { maxLength: options.acks?.maxLength ?? CLIENT_DEFAULTS.ackMaxLength },
    refreshServer,
    registration,
    logger: options.logger ?? STDERR_LOGGER,
  };
}

/** `<hostname>-<pid>`, cut to Cloud Map's rules. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^0-9a-zA-Z_/:.@-]/g, "-").slice(-64);
}

function isPlatformRegistration(
  registration: ConfigClientOptions["registration"],
): registration is PlatformRegistrationOptions {
  return (registration as { registeredBy?: unknown } | undefined)?.registeredBy === "ecs";
}

/**
 * The refresh server's port of a registered instance (the pipeline's refresh port unless given),
 * pushing the problems that refuse the registration: no port at all, a malformed `CONFIG_REFRESH_PORT`,
 * a registered port the pipeline does not open.
 */
function registeredServerPort(
  options: ConfigClientOptions,
  host: HostEnvironment,
  problems: string[],
): number | undefined {
  const registration = options.registration as CloudMapRegistrationOptions | PlatformRegistrationOptions;
  const registeredPort = isPlatformRegistration(registration) ? undefined : registration.port;
  if (!options.refreshServer && registeredPort === undefined) {
    problems.push(
      isPlatformRegistration(registration)
        ? 'registration: registeredBy "ecs" needs a refreshServer (the function calls the port ECS registers)'
        : "registration.port: is required when there is no refreshServer (the port the Lambda calls)",
    );
    return undefined;
  }
  const pipeline = readPipelineRefreshPort(registration.pipelineRefreshPort, host.env);
  if (pipeline && "problem" in pipeline) {
    problems.push(pipeline.problem);
    return options.refreshServer?.port;
  }
  const plan = planRefreshPort(
    {
      ...(options.refreshServer?.port !== undefined ? { serverPort: options.refreshServer.port } : {}),
      ...(registeredPort !== undefined ? { registeredPort } : {}),
    },
    pipeline,
  );
  if (plan.problem !== undefined) problems.push(plan.problem);
  return options.refreshServer ? (plan.serverPort ?? options.refreshServer.port) : undefined;
}

/**
 * What ECS registered for this task: the address family (IPv6 for an IPv6-only awsvpc task) and the
 * task id, the Cloud Map instance id ECS `serviceRegistries` uses. The fan-out counts an answer from
 * another id as a stale registration, so a client ECS registers must answer with that id.
 */
async function platformTask(
  host: HostEnvironment,
  needsTaskId: boolean,
  needsFamily: boolean,
): Promise<{ family?: AddressFamily; taskId?: string }> {
  if (!needsTaskId && !needsFamily) return {};
  const metadataUri = host.env[TASK_METADATA_ENV];
  const problems: string[] = [];
  if (!metadataUri) {
    if (needsTaskId) {
      problems.push(
        `instanceId: registeredBy "ecs" answers refresh calls with the id ECS registered (the task id), ` +
          `read from ${TASK_METADATA_ENV}, which is not set: set instanceId to the Cloud Map instance id`,
      );
    }
    if (problems.length > 0) throw new ClientOptionsError(problems);
    return {};
  }
  try {
    const network = await readTaskNetwork(metadataUri, host.metadataTimeoutMs);
    const ipv6Only = network.ipv4Addresses.length === 0 && network.ipv6Addresses.length > 0;
    if (needsTaskId && network.taskId === undefined) {
      throw new ClientOptionsError([
        `instanceId: the task metadata names no TaskARN; set instanceId to the Cloud Map instance id`,
      ]);
    }
    return {
      ...(needsFamily ? { family: network.mode === "awsvpc" && ipv6Only ? ("IPv6" as const) : ("IPv4" as const) } : {}),
      ...(needsTaskId && network.taskId !== undefined ? { taskId: network.taskId } : {}),
    };
  } catch (error) {
    if (error instanceof ClientOptionsError) throw error;
    const message = toError(error).message;
    if (needsFamily)
      problems.push(
        `refreshServer.host: ${message}; pass refreshServer.host ("0.0.0.0", or "[::]" for an IPv6-only task)`,
      );
    if (needsTaskId)
      problems.push(`instanceId: ${message}; set instanceId to the Cloud Map instance id ECS registered`);
    throw new ClientOptionsError(problems);
  }
}

/** The window a reset's reloads spread over now, for an instance holding `heldParameters`. */
export function resetReloadWindowMs(
  window: ResolvedOptions<ConfigSchema>["resetReloadWindow"],
  heldParameters: number,
): number {
  return "fixedMs" in window
    ? window.fixedMs
    : spreadWindowMs(window.fleet, loadCalls(heldParameters), window.floorMs, SPREAD_CEILING_MS);
}
